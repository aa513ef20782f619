/* probe: a small, unmodified-looking client for the integration tests.
 * Each subcommand makes real libc calls and prints what libc returned,
 * so a test can compare what the program saw with and without the shim.
 *
 *   probe connect HOST PORT            blocking TCP connect (numeric host)
 *   probe connect-unix PATH            blocking AF_UNIX connect
 *   probe connect-nb-unix PATH         non-blocking AF_UNIX connect
 *   probe gai NAME [SERVICE]           getaddrinfo
 *   probe errno-bad-read               read(-1): EBADF, never retried
 *   probe short-write FILE             write past RLIMIT_FSIZE
 *   probe recv-dontwait                recv(MSG_DONTWAIT) on an idle socket
 *   probe threads N HOST PORT          N threads connect at once
 *   probe fork HOST PORT               the child of a threaded parent connects
 *   probe signal-stop MODE HOST PORT MS  a handler (MODE restart|norestart)
 *                                      fires after MS ms during a connect
 *   probe longjmp HOST PORT            a SIGALRM handler siglongjmps out of
 *                                      a connect (as wget times out), then
 *                                      the program connects again
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int tcp_connect(const char *host, const char *port, int *err)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_port = htons((unsigned short)atoi(port));
	inet_pton(AF_INET, host, &a.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
	*err = rc ? errno : 0;
	close(fd);
	return rc;
}

static void report(const char *what, int rc, int err, double started)
{
	printf("%s rc=%d errno=%s elapsed=%.3f\n", what, rc,
	       err ? strerrorname_np(err) : "0", now() - started);
}

static int unix_connect(const char *path, int nonblock)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
	double t0 = now();
	int rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
	int err = rc ? errno : 0;
	if (rc == 0) {
		char buf[16] = "";
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		printf("read=%zd %s", n, n > 0 ? buf : "\n");
	}
	report("connect", rc, err, t0);
	close(fd);
	return rc != 0;
}

static const char *host_arg, *port_arg;

static void *thread_connect(void *arg)
{
	int err;
	long rc = tcp_connect(host_arg, port_arg, &err);
	(void)arg;
	return (void *)(rc ? (long)err : 0L);
}

static int threads(int n)
{
	pthread_t t[256];
	int failures = 0;
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, thread_connect, NULL);
	for (int i = 0; i < n; i++) {
		void *r;
		pthread_join(t[i], &r);
		failures += r != NULL;
	}
	printf("threads=%d failures=%d\n", n, failures);
	return failures != 0;
}

static void *idle(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

static int forked(void)
{
	pthread_t t;
	pthread_create(&t, NULL, idle, NULL);	/* make the parent threaded */
	pid_t pid = fork();
	if (pid == 0) {
		int err;
		double t0 = now();
		int rc = tcp_connect(host_arg, port_arg, &err);
		report("child connect", rc, err, t0);
		fflush(stdout);
		_exit(rc != 0);
	}
	int status;
	waitpid(pid, &status, 0);
	printf("child exit=%d\n", WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

static volatile sig_atomic_t got_signal;
static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

static int signal_stop(const char *mode, int ms)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sa.sa_flags = strcmp(mode, "restart") == 0 ? SA_RESTART : 0;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	double t0 = now();
	int err;
	int rc = tcp_connect(host_arg, port_arg, &err);
	double t1 = now();
	printf("signal=%d since_signal=%.3f\n", (int)got_signal,
	       t1 - t0 - ms / 1000.0);
	report("connect", rc, err, t0);
	return 0;
}

static sigjmp_buf timed_out;
static void on_alarm_jump(int sig)
{
	(void)sig;
	siglongjmp(timed_out, 1);
}

static int jump_out(void)
{
	struct sigaction sa = { .sa_handler = on_alarm_jump };
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { .it_value = { 0, 100000 } };
	int err;
	if (sigsetjmp(timed_out, 1) == 0) {
		setitimer(ITIMER_REAL, &it, NULL);
		tcp_connect(host_arg, port_arg, &err);
		printf("first connect returned\n");
	} else {
		printf("first connect timed out\n");
	}
	double t0 = now();
	int rc = tcp_connect(host_arg, port_arg, &err);
	report("second connect", rc, err, t0);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return 2;
	const char *cmd = argv[1];
	double t0 = now();
	int err = 0, rc;

	if (!strcmp(cmd, "connect") && argc == 4) {
		rc = tcp_connect(argv[2], argv[3], &err);
		report("connect", rc, err, t0);
		return rc != 0;
	}
	if (!strcmp(cmd, "connect-unix") && argc == 3)
		return unix_connect(argv[2], 0);
	if (!strcmp(cmd, "connect-nb-unix") && argc == 3)
		return unix_connect(argv[2], 1);
	if (!strcmp(cmd, "gai") && argc >= 3) {
		struct addrinfo *res = NULL, hints = { .ai_socktype = SOCK_STREAM };
		rc = getaddrinfo(argv[2], argc > 3 ? argv[3] : NULL, &hints, &res);
		printf("gai rc=%d (%s) elapsed=%.3f\n", rc,
		       rc ? gai_strerror(rc) : "ok", now() - t0);
		if (res)
			freeaddrinfo(res);
		return rc != 0;
	}
	if (!strcmp(cmd, "errno-bad-read")) {
		char c;
		errno = 0;
		rc = (int)read(-1, &c, 1);
		report("read", rc, errno, t0);
		errno = 12345;
		rc = (int)write(1, "", 0);	/* success must leave errno alone */
		printf("errno-after-success=%d\n", errno);
		return 0;
	}
	if (!strcmp(cmd, "short-write") && argc == 3) {
		struct rlimit rl = { 100, 100 };
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		char buf[150];
		memset(buf, 'x', sizeof(buf));
		ssize_t n = write(fd, buf, sizeof(buf));
		printf("first=%zd\n", n);
		n = write(fd, buf, 50);
		printf("second=%zd errno=%s\n", n,
		       n < 0 ? strerrorname_np(errno) : "0");
		close(fd);
		return 0;
	}
	if (!strcmp(cmd, "recv-dontwait")) {
		int sv[2];
		char c;
		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		rc = (int)recv(sv[0], &c, 1, MSG_DONTWAIT);
		report("recv", rc, rc < 0 ? errno : 0, t0);
		return 0;
	}
	if (!strcmp(cmd, "threads") && argc == 5) {
		host_arg = argv[3];
		port_arg = argv[4];
		return threads(atoi(argv[2]));
	}
	if (!strcmp(cmd, "fork") && argc == 4) {
		host_arg = argv[2];
		port_arg = argv[3];
		return forked();
	}
	if (!strcmp(cmd, "signal-stop") && argc == 6) {
		host_arg = argv[3];
		port_arg = argv[4];
		return signal_stop(argv[2], atoi(argv[5]));
	}
	if (!strcmp(cmd, "longjmp") && argc == 4) {
		host_arg = argv[2];
		port_arg = argv[3];
		return jump_out();
	}
	fprintf(stderr, "probe: bad arguments\n");
	return 2;
}
