/* hostile: legal programs that stress the shim where it is weakest.
 * test_hostile.py runs each mode raw and preloaded and compares.
 *
 *   hostile plain3arg          a handler set without SA_SIGINFO but
 *                              declared (int, siginfo_t *, void *) reads
 *                              the interrupted context, as GCs do
 *   hostile handlers           vfork, CLONE_VM and fork children set
 *                              handlers in every order; prints which
 *                              handler each process runs and is told of
 *   hostile errno PORT         errno = 0, then one connect to PORT
 *                              (refused now, served soon); prints rc and
 *                              errno
 *   hostile seccomp PORT NAME...  a seccomp filter answers EPERM to the
 *                              named system calls (clock_gettime, futex,
 *                              clock_nanosleep); then one connect to the
 *                              dead PORT; prints rc, errno, wall, CPU
 *   hostile forks PORT N       one thread connects to the dead PORT in a
 *                              loop while another forks N children that
 *                              never exec; each child counts fds the
 *                              parent's program did not open
 *   hostile jumpout PORT HOW   a signal() handler jumps (HOW: longjmp,
 *                              _longjmp, siglongjmp, __longjmp_chk) out
 *                              of a connect to the dead PORT after
 *                              150 ms; then connects from deeper frames
 *                              (timings on stderr) */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static struct sockaddr_in loopback(const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)atoi(port)),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	return a;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* --- plain3arg ------------------------------------------------------- */

static volatile long interrupted_ip = -1;
static volatile int info_near_context = -1;

static void reads_context(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	ucontext_t *uc = context;
	interrupted_ip = (long)uc->uc_mcontext.gregs[REG_RIP];
	long gap = (char *)info - (char *)context;
	info_near_context = gap > -65536 && gap < 65536;
}

static int plain3arg(void)
{
	struct sigaction sa = { .sa_sigaction = reads_context };
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_SIGINFO, no SA_RESTART */
	raise(SIGUSR1);
	printf("context ip known=%d info near context=%d\n",
	       interrupted_ip != 0 && interrupted_ip != -1, info_near_context);
	return 0;
}

/* --- handlers -------------------------------------------------------- */

#define SAY(text) (void)!write(1, text, strlen(text))
static void A(int s) { (void)s; SAY(" ran A"); }
static void B(int s) { (void)s; SAY(" ran B"); }
static void C(int s) { (void)s; SAY(" ran C"); }
static void D(int s) { (void)s; SAY(" ran D"); }
static void I(int s, siginfo_t *i, void *c) { (void)s, (void)i, (void)c; SAY(" ran I"); }

static const char *name(sighandler_t h)
{
	return h == A ? "A" : h == B ? "B" : h == C ? "C" : h == D ? "D" :
	       (void *)h == (void *)I ? "I" : h == SIG_DFL ? "DFL" : "?";
}

static sighandler_t set(int sig, sighandler_t h, int flags)
{
	struct sigaction sa = { .sa_handler = h, .sa_flags = flags }, old;
	if (flags & SA_SIGINFO)
		sa.sa_sigaction = I;
	sigaction(sig, &sa, &old);
	return old.sa_handler;
}

/* Raises sig and says what ran and what sigaction reports. */
static void check(const char *who, int sig)
{
	printf("%s:", who);
	fflush(stdout);
	raise(sig);
	struct sigaction now;
	sigaction(sig, NULL, &now);
	printf(" reported %s\n", name(now.sa_handler));
	fflush(stdout);
}

static void reap(pid_t pid)
{
	waitpid(pid, NULL, 0);
}

static int clone_vm_child(void *handler)
{
	set(SIGUSR2, (sighandler_t)handler, 0);
	check("  clone-vm child", SIGUSR2);
	return 0;
}

static int handlers(void)
{
	const int S = SIGUSR1;
	printf("fork, child raises:\n");
	set(S, A, 0);
	pid_t p = fork();
	if (p == 0) {
		check("  child", S);
		_exit(0);
	}
	reap(p);
	check("  parent", S);

	printf("fork, child sets C:\n");
	fflush(stdout);
	if ((p = fork()) == 0) {
		printf("  child replaced %s;", name(set(S, C, 0)));
		check("", S);
		_exit(0);
	}
	reap(p);
	check("  parent", S);

	printf("vfork, child sets B twice:\n");
	fflush(stdout);
	static sighandler_t volatile seen1, seen2;	/* the vfork child writes them */
	if ((p = vfork()) == 0) {
		seen1 = set(S, B, 0);
		seen2 = set(S, B, SA_RESETHAND);
		_exit(0);
	}
	reap(p);
	printf("  child replaced %s then %s\n", name(seen1), name(seen2));
	check("  parent", S);

	printf("vfork child set B, then fork:\n");
	fflush(stdout);
	if ((p = fork()) == 0) {
		check("  child", S);
		_exit(0);
	}
	reap(p);

	printf("vfork child set B, then the parent sets D:\n");
	printf("  parent replaced %s;", name(set(S, D, 0)));
	check("", S);

	printf("vfork, child sets an SA_SIGINFO handler:\n");
	fflush(stdout);
	if ((p = vfork()) == 0) {
		set(S, NULL, SA_SIGINFO);	/* I */
		_exit(0);
	}
	reap(p);
	check("  parent", S);

	printf("vfork, parent had none, child sets B, parent sets A:\n");
	set(SIGUSR2, SIG_DFL, 0);
	fflush(stdout);
	if ((p = vfork()) == 0) {
		set(SIGUSR2, B, 0);
		_exit(0);
	}
	reap(p);
	printf("  parent replaced %s;", name(set(SIGUSR2, A, 0)));
	check("", SIGUSR2);

	printf("CLONE_VM child sets C while the parent waits:\n");
	fflush(stdout);
	static char stack[256 * 1024];
	p = clone(clone_vm_child, stack + sizeof(stack), CLONE_VM | SIGCHLD,
		  (void *)C);
	reap(p);
	check("  parent", SIGUSR2);
	return 0;
}

/* --- errno ---------------------------------------------------------- */

static int errno_after(const char *port)
{
	struct sockaddr_in a = loopback(port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	errno = 0;
	int rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
	int e = errno;
	printf("rc=%d errno=%s\n", rc, e ? strerrorname_np(e) : "0");
	return 0;
}

/* --- seccomp --------------------------------------------------------- */

static int refused_number(const char *name)
{
	return !strcmp(name, "clock_gettime") ? SYS_clock_gettime :
	       !strcmp(name, "futex") ? SYS_futex :
	       !strcmp(name, "clock_nanosleep") ? SYS_clock_nanosleep : -1;
}

static double cpu_seconds(void)
{
	struct rusage r;
	getrusage(RUSAGE_SELF, &r);
	return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
	       (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

static int sandboxed(const char *port, int n, char **names)
{
	struct sock_filter f[32];
	int len = 0;
	f[len++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			offsetof(struct seccomp_data, nr));
	for (int i = 0; i < n && len < 28; i++) {
		int nr = refused_number(names[i]);
		if (nr < 0)
			return 2;
		f[len++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
				(unsigned)nr, 0, 1);
		f[len++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
				SECCOMP_RET_ERRNO | EPERM);
	}
	f[len++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog filter = { .len = (unsigned short)len, .filter = f };
	struct sockaddr_in a = loopback(port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter)) {
		perror("seccomp");
		return 2;
	}
	double wall = now(), cpu = cpu_seconds();
	int rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
	int e = errno;
	printf("rc=%d errno=%s\n", rc, strerrorname_np(e));
	printf("wall=%.2f cpu=%.2f\n", now() - wall, cpu_seconds() - cpu);
	return 0;
}

/* --- forks ----------------------------------------------------------- */

static struct sockaddr_in dead;
static volatile int stop_hammering;
static char program_fd[4096];	/* open before the test began */

static void *hammer(void *unused)
{
	(void)unused;
	while (!stop_hammering) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		connect(fd, (struct sockaddr *)&dead, sizeof(dead));
		close(fd);
	}
	return NULL;
}

/* In a child: 1 when it holds an fd the program did not open (the
 * hammer's TCP sockets aside), after writing which to `report`. */
static int holds_a_stranger(int report, int pipe_read)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d) ||
		    fd == report || fd == pipe_read ||
		    (fd < 4096 && program_fd[fd]))
			continue;
		int domain = 0;
		socklen_t len = sizeof(domain);
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 &&
		    domain == AF_INET)
			continue;
		char path[64], target[200] = "";
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		dprintf(report, "fd %d -> %s", fd, n > 0 ? target : "?");
		return 1;
	}
	return 0;
}

static int forks(const char *port, int n)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) < 4096)
			program_fd[atoi(e->d_name)] = 1;
	closedir(d);
	dead = loopback(port);
	pthread_t t;
	pthread_create(&t, NULL, hammer, NULL);
	int strangers = 0;
	for (int i = 0; i < n; i++) {
		int p[2];
		if (pipe(p))
			return 2;
		pid_t pid = fork();
		if (pid == 0)
			_exit(holds_a_stranger(p[1], p[0]));
		close(p[1]);
		int status = 0;
		waitpid(pid, &status, 0);
		char what[256] = "";
		if (read(p[0], what, sizeof(what) - 1) < 0)
			what[0] = '\0';
		close(p[0]);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 1 &&
		    strangers++ == 0)
			printf("child %d holds %s\n", i, what);
	}
	stop_hammering = 1;
	pthread_join(t, NULL);
	printf("forks=%d children holding a stranger fd=%d\n", n, strangers);
	return 0;
}

/* --- jumpout --------------------------------------------------------- */

void __longjmp_chk(sigjmp_buf env, int val);	/* _FORTIFY_SOURCE's */

static sigjmp_buf at_timeout;
static const char *jump_with;

static void timed_out(int sig)
{
	(void)sig;
	if (!strcmp(jump_with, "longjmp"))
		longjmp(at_timeout, 1);
	if (!strcmp(jump_with, "_longjmp"))
		_longjmp(at_timeout, 1);
	if (!strcmp(jump_with, "__longjmp_chk"))
		__longjmp_chk(at_timeout, 1);
	siglongjmp(at_timeout, 1);
}

static void connect_deeper(int frames)
{
	volatile char pad[2048];
	pad[0] = 0;
	if (frames > 0) {
		connect_deeper(frames - 1 + pad[0]);
		return;
	}
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	double t = now();
	int rc = connect(fd, (struct sockaddr *)&dead, sizeof(dead));
	int e = errno;
	printf("deeper connect rc=%d errno=%s\n", rc, strerrorname_np(e));
	fprintf(stderr, "deeper connect took %.2f s\n", now() - t);
	close(fd);
}

/* wget's way: signal() (restarting), alarm, jump out of the handler. */
static int jumpout(const char *port, const char *how)
{
	dead = loopback(port);
	jump_with = how;
	signal(SIGALRM, timed_out);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct itimerval in_150ms = { .it_value = { 0, 150000 } };
	if (sigsetjmp(at_timeout, 1) == 0) {
		setitimer(ITIMER_REAL, &in_150ms, NULL);
		int rc = connect(fd, (struct sockaddr *)&dead, sizeof(dead));
		int e = errno;
		struct itimerval off = { { 0, 0 }, { 0, 0 } };
		setitimer(ITIMER_REAL, &off, NULL);
		fprintf(stderr, "first connect rc=%d errno=%s\n", rc,
			strerrorname_np(e));
	} else {
		fprintf(stderr, "first connect timed out\n");
	}
	close(fd);
	connect_deeper(8);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "plain3arg"))
		return plain3arg();
	if (!strcmp(mode, "handlers"))
		return handlers();
	if (!strcmp(mode, "errno") && argc == 3)
		return errno_after(argv[2]);
	if (!strcmp(mode, "forks") && argc == 4)
		return forks(argv[2], atoi(argv[3]));
	if (!strcmp(mode, "jumpout") && argc == 4)
		return jumpout(argv[2], argv[3]);
	if (!strcmp(mode, "seccomp") && argc >= 3)
		return sandboxed(argv[2], argc - 3, argv + 3);
	fprintf(stderr, "usage: see the top of hostile.c\n");
	return 2;
}
