/* hardy: a hostile host program for the hardening tests.  Each mode
 * does something a real program may do that could trip up a preload
 * library, and prints what it saw so the test can judge.
 *
 *   hardy chaos PORT FILE SECONDS   one thread makes failing connects
 *                                   while main closes and dup2s FILE over
 *                                   every fd 0..1023, again and again
 *   hardy forkexec PORT SECONDS     8 threads retry while main forks and
 *                                   execs /bin/true as fast as it can
 *   hardy sighandler PORT SECONDS   a 5 ms timer's handler makes failing
 *                                   connects while main runs series
 *   hardy threads N PORT            N threads each make one failing
 *                                   connect series (tries from the env)
 *   hardy leak PORT N               N failing series, printing fd count
 *                                   and RSS after N/10 and after N
 *   hardy dlopen LIB                loads LIB (with file capabilities,
 *                                   this is how an AT_SECURE process
 *                                   gets the library at all)
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int port;
static volatile int stop;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One blocking connect to the dead port; returns errno (0 on success). */
static int dead_connect(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((unsigned short)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	int rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
	int err = rc ? errno : 0;
	close(fd);
	return err;
}

static void *connect_loop(void *arg)
{
	long *count = arg;
	while (!stop) {
		dead_connect();
		(*count)++;
	}
	return NULL;
}

static int chaos(const char *file, double seconds)
{
	int mine = open(file, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (mine < 0 || dup2(mine, 1000) < 0)
		return 2;
	close(mine);
	mine = 1000;
	long calls = 0, rounds = 0;
	pthread_t t;
	pthread_create(&t, NULL, connect_loop, &calls);
	double until = now() + seconds;
	while (now() < until) {
		for (int fd = 0; fd < 1024; fd++) {
			if (fd == mine)
				continue;
			if (rounds % 2)
				close(fd);
			else
				dup2(mine, fd);
		}
		rounds++;
		dprintf(mine, "program line %ld\n", rounds);
	}
	stop = 1;
	pthread_join(t, NULL);
	dprintf(mine, "program done: rounds=%ld calls=%ld\n", rounds, calls);
	return 0;
}

static int forkexec(double seconds)
{
	pthread_t t[8];
	long calls[8] = { 0 };
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, connect_loop, &calls[i]);
	long children = 0, bad = 0;
	double until = now() + seconds;
	while (now() < until) {
		pid_t pid = fork();
		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		int status;
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
		children++;
	}
	stop = 1;
	long total = 0;
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		total += calls[i];
	}
	printf("children=%ld bad=%ld calls=%ld\n", children, bad, total);
	return bad != 0;
}

static volatile sig_atomic_t handled, handler_refused;

static void on_alarm(int sig)
{
	(void)sig;
	int saved = errno;
	if (dead_connect() == ECONNREFUSED)
		handler_refused++;
	handled++;
	errno = saved;
}

static int sighandler(double seconds)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 5000 }, { 0, 5000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	long series = 0, refused = 0;
	double until = now() + seconds;
	while (now() < until) {
		refused += dead_connect() == ECONNREFUSED;
		series++;
	}
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	printf("series=%ld refused=%ld handled=%d handler_refused=%d\n",
	       series, refused, (int)handled, (int)handler_refused);
	return 0;
}

static void *one_series(void *arg)
{
	(void)arg;
	return (void *)(long)dead_connect();
}

static int threads(int n)
{
	pthread_t t[256];
	int refused = 0;
	for (int i = 0; i < n && i < 256; i++)
		pthread_create(&t[i], NULL, one_series, NULL);
	for (int i = 0; i < n && i < 256; i++) {
		void *r;
		pthread_join(t[i], &r);
		refused += (long)r == ECONNREFUSED;
	}
	printf("threads=%d refused=%d\n", n, refused);
	return 0;
}

static int fd_count(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static long rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

static int leak(long n)
{
	for (long i = 0; i < n; i++) {
		dead_connect();
		if (i + 1 == n / 10)
			printf("early fds=%d rss=%ld\n", fd_count(), rss_kib());
	}
	printf("late fds=%d rss=%ld\n", fd_count(), rss_kib());
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3)
		return 2;
	const char *mode = argv[1];
	if (!strcmp(mode, "chaos") && argc == 5) {
		port = atoi(argv[2]);
		return chaos(argv[3], atof(argv[4]));
	}
	if (!strcmp(mode, "forkexec") && argc == 4) {
		port = atoi(argv[2]);
		return forkexec(atof(argv[3]));
	}
	if (!strcmp(mode, "sighandler") && argc == 4) {
		port = atoi(argv[2]);
		return sighandler(atof(argv[3]));
	}
	if (!strcmp(mode, "threads") && argc == 4) {
		port = atoi(argv[3]);
		return threads(atoi(argv[2]));
	}
	if (!strcmp(mode, "dlopen") && argc == 3) {
		void *lib = dlopen(argv[2], RTLD_NOW);
		printf("dlopen %s\n", lib ? "ok" : dlerror());
		return lib == NULL;
	}
	if (!strcmp(mode, "leak") && argc == 4) {
		port = atoi(argv[2]);
		return leak(atol(argv[3]));
	}
	fprintf(stderr, "hardy: bad arguments\n");
	return 2;
}
