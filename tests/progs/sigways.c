/* sigways: every way a program sets a signal handler, and what the shim
 * must make of it.  The tests run each mode raw and preloaded and
 * compare (test_signals.py).
 *
 *   sigways stop HOW PORT MS     sets a SIGALRM handler with HOW, arms a
 *                                timer for MS ms, connects to the dead
 *                                127.0.0.1:PORT; prints the result once
 *                                the handler ran, and how long after the
 *                                signal the connect returned
 *   sigways shutdown HOW PORT    a worker thread connects to the dead
 *                                PORT in a loop until a stop flag is set;
 *                                the main thread takes SIGTERM (HOW: a
 *                                handler, or a sigwait) and sets the flag;
 *                                prints how long the worker took to stop
 *   sigways just-before PORT     another thread runs a handler without
 *                                SA_RESTART just before the main thread's
 *                                connect to the dead PORT fails
 *   sigways report               sets, reads and raises handlers in every
 *                                way and prints what each call returned
 *   sigways vfork                a vfork child resets a handler; the
 *                                parent saves and restores it, raises
 *
 * HOW for stop: sigaction, c99 (signal() as a -std=c99 program binds
 * it: __sysv_signal), sysv_signal, sigset, siginterrupt (signal, then
 * siginterrupt(sig, 1)), siginterrupt-first (the other order),
 * bsd_signal-siginterrupt, raw (an rt_sigaction system call), and
 * signal, raw-restart (restarting handlers).  HOW for shutdown:
 * sigaction, c99, sigwait, sigwaitinfo, sigtimedwait. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Exported by glibc; not all are declared for _GNU_SOURCE. */
sighandler_t bsd_signal(int sig, sighandler_t handler);
sighandler_t __sysv_signal(int sig, sighandler_t handler);
int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void pause_ms(int ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&t, &t) == -1 && errno == EINTR)
		;
}

static int dead_port;

static int connect_dead(int *err)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)dead_port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int rc = connect(s, (struct sockaddr *)&to, sizeof(to));
	*err = rc ? errno : 0;
	close(s);
	return rc;
}

/* --- raw rt_sigaction --------------------------------------------- */

/* The kernel's struct sigaction on x86-64. */
struct kernel_action {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

/* Installs `handler` with a system call libc and the shim never see,
 * borrowing the restorer glibc gives its own handlers. */
static int raw_install(int sig, void (*handler)(int), unsigned long flags)
{
	struct sigaction probe = { .sa_handler = handler };
	struct kernel_action k;
	if (sigaction(SIGUSR2, &probe, NULL) ||
	    syscall(SYS_rt_sigaction, SIGUSR2, NULL, &k, sizeof(k.mask)))
		return -1;
	signal(SIGUSR2, SIG_DFL);
	k.handler = handler;
	k.flags = flags | 0x04000000;	/* SA_RESTORER */
	k.mask = 0;
	return (int)syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof(k.mask));
}

/* --- stop ------------------------------------------------------------ */

static volatile sig_atomic_t ran;
static double ran_at;

static void note(int sig)
{
	(void)sig;
	ran++;
	ran_at = now();
}

static int set_by(const char *how, int sig, void (*handler)(int))
{
	if (!strcmp(how, "sigaction")) {
		struct sigaction sa = { .sa_handler = handler };
		return sigaction(sig, &sa, NULL);
	}
	if (!strcmp(how, "c99"))
		return __sysv_signal(sig, handler) == SIG_ERR ? -1 : 0;
	if (!strcmp(how, "sysv_signal"))
		return sysv_signal(sig, handler) == SIG_ERR ? -1 : 0;
	if (!strcmp(how, "sigset"))
		return sigset(sig, handler) == SIG_ERR ? -1 : 0;
	if (!strcmp(how, "siginterrupt"))
		return signal(sig, handler) == SIG_ERR ? -1 :
		       siginterrupt(sig, 1);
	if (!strcmp(how, "siginterrupt-first"))
		return siginterrupt(sig, 1) ? -1 :
		       signal(sig, handler) == SIG_ERR ? -1 : 0;
	if (!strcmp(how, "bsd_signal-siginterrupt"))
		return bsd_signal(sig, handler) == SIG_ERR ? -1 :
		       siginterrupt(sig, 1);
	if (!strcmp(how, "raw"))
		return raw_install(sig, handler, 0);
	if (!strcmp(how, "signal"))
		return signal(sig, handler) == SIG_ERR ? -1 : 0;
	if (!strcmp(how, "raw-restart"))
		return raw_install(sig, handler, SA_RESTART);
	return -1;
}

static int stop(const char *how, int ms)
{
	if (set_by(how, SIGALRM, note) != 0) {
		printf("install failed\n");
		return 1;
	}
	struct itimerval t = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };
	setitimer(ITIMER_REAL, &t, NULL);
	int err;
	int rc = connect_dead(&err);
	double returned = now();
	for (int i = 0; i < 500 && !ran; i++)
		pause_ms(10);
	printf("connect rc=%d errno=%s\n", rc, err ? strerrorname_np(err) : "0");
	printf("handler ran=%d\n", (int)ran);
	double since = ran ? returned - ran_at : -1;
	printf("since_signal=%.3f\n", since > 0 ? since : 0);
	return 0;
}

static void *take_sigusr1(void *arg)
{
	(void)arg;
	raise(SIGUSR1);
	return NULL;
}

/* As if the signal came while the connect waited for its refusal,
 * after the program checked its flag. */
static int just_before(void)
{
	struct sigaction sa = { .sa_handler = note };
	sigaction(SIGUSR1, &sa, NULL);
	pthread_t t;
	pthread_create(&t, NULL, take_sigusr1, NULL);
	pthread_join(t, NULL);
	double started = now();
	int err;
	int rc = connect_dead(&err);
	printf("connect rc=%d errno=%s\n", rc, err ? strerrorname_np(err) : "0");
	fprintf(stderr, "elapsed=%.3f\n", now() - started);
	return 0;
}

/* --- shutdown -------------------------------------------------------- */

static volatile sig_atomic_t stopping;
static unsigned long attempts;

static void set_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void *worker(void *arg)
{
	(void)arg;
	while (!stopping) {
		int err;
		connect_dead(&err);
		attempts++;
		pause_ms(20);
	}
	return NULL;
}

static int take_sigterm(const char *how, const sigset_t *term)
{
	siginfo_t info;
	struct timespec ten = { 10, 0 };
	int sig = 0;
	if (!strcmp(how, "sigwait"))
		return sigwait(term, &sig) == 0 && sig == SIGTERM ? 0 : -1;
	if (!strcmp(how, "sigwaitinfo"))
		return sigwaitinfo(term, &info) == SIGTERM ? 0 : -1;
	if (!strcmp(how, "sigtimedwait"))
		return sigtimedwait(term, &info, &ten) == SIGTERM ? 0 : -1;
	/* A handler: wait for it with SIGTERM unblocked. */
	sigset_t open_mask;
	pthread_sigmask(SIG_BLOCK, NULL, &open_mask);
	sigdelset(&open_mask, SIGTERM);
	while (!stopping)
		sigsuspend(&open_mask);
	return 0;
}

static int shutdown_(const char *how)
{
	bool waits = !strncmp(how, "sigwait", 7) || !strcmp(how, "sigtimedwait");
	if (!waits && set_by(how, SIGTERM, set_stop) != 0) {
		printf("install failed\n");
		return 1;
	}
	/* Blocked in every thread: the worker never takes it, and the main
	 * thread takes it in sigsuspend or a sigwait. */
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &term, NULL);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	pause_ms(300);
	double signalled = now();
	kill(getpid(), SIGTERM);
	if (take_sigterm(how, &term) != 0) {
		printf("sigterm not taken\n");
		return 1;
	}
	stopping = 1;
	pthread_join(t, NULL);
	printf("worker stopped, attempts>0=%d\n", attempts > 0);
	fprintf(stderr, "stop_latency=%.3f\n", now() - signalled);
	return 0;
}

/* --- report ---------------------------------------------------------- */

static void h1(int sig) { (void)sig; write(1, "h1 ran\n", 7); }
static void h2(int sig) { (void)sig; write(1, "h2 ran\n", 7); }
static void h3(int sig, siginfo_t *i, void *c)
{
	(void)c;
	if (i && i->si_signo == sig)
		write(1, "h3 ran with its siginfo\n", 24);
}

static const char *name(sighandler_t h)
{
	static char other[32];
	if (h == SIG_DFL) return "SIG_DFL";
	if (h == SIG_IGN) return "SIG_IGN";
	if (h == SIG_ERR) return "SIG_ERR";
	if (h == SIG_HOLD) return "SIG_HOLD";
	if (h == h1) return "h1";
	if (h == h2) return "h2";
	if ((void *)h == (void *)h3) return "h3";
	snprintf(other, sizeof(other), "other");
	return other;
}

/* What sigaction reports for sig: handler, flags, whether sig and
 * SIGUSR2 are in the mask. */
static void show(const char *after, int sig)
{
	struct sigaction now_;
	memset(&now_, 0, sizeof(now_));
	int rc = sigaction(sig, NULL, &now_);
	printf("%-34s sigaction=%d handler=%s flags=%#x mask_self=%d\n",
	       after, rc, name(now_.sa_handler), (unsigned)now_.sa_flags,
	       sigismember(&now_.sa_mask, sig));
}

static void returned(const char *call, sighandler_t h)
{
	printf("%-34s returned %s errno=%s\n", call, name(h),
	       h == SIG_ERR ? strerrorname_np(errno) : "-");
	errno = 0;
}

static void blocked(const char *after, int sig)
{
	sigset_t m;
	sigprocmask(SIG_BLOCK, NULL, &m);
	printf("%-34s blocked=%d\n", after, sigismember(&m, sig));
}

static int report(void)
{
	const int S = SIGUSR1;
	struct sigaction a = { .sa_handler = h1 }, old;

	/* sigaction and signal see each other's handlers. */
	sigaction(S, &a, NULL);
	returned("signal(h2) after sigaction(h1)", signal(S, h2));
	show("after signal(h2)", S);
	raise(S);
	returned("signal(SIG_DFL)", signal(S, SIG_DFL));
	show("after signal(SIG_DFL)", S);
	a.sa_flags = SA_RESTART;
	sigaction(S, &a, &old);
	printf("%-34s old=%s\n", "sigaction(h1, SA_RESTART)", name(old.sa_handler));
	a.sa_flags = 0;
	a.sa_handler = h2;
	sigaction(S, &a, &old);
	printf("%-34s old=%s\n", "sigaction(h2)", name(old.sa_handler));
	a.sa_handler = h1;
	sigaction(S, &a, &old);
	printf("%-34s old=%s\n", "sigaction(h1)", name(old.sa_handler));
	a.sa_sigaction = h3;
	a.sa_flags = SA_SIGINFO;
	__sigaction(S, &a, &old);
	printf("%-34s old=%s\n", "__sigaction(h3, SA_SIGINFO)", name(old.sa_handler));
	raise(S);
	returned("bsd_signal(h1) after h3", bsd_signal(S, h1));
	returned("ssignal(h2)", ssignal(S, h2));
	show("after ssignal(h2)", S);

	/* siginterrupt turns SA_RESTART off and on, and signal() obeys. */
	printf("%-34s rc=%d\n", "siginterrupt(1)", siginterrupt(S, 1));
	show("after siginterrupt(1)", S);
	raise(S);
	returned("signal(h1) while interrupting", signal(S, h1));
	show("after signal(h1)", S);
	printf("%-34s rc=%d\n", "siginterrupt(0)", siginterrupt(S, 0));
	show("after siginterrupt(0)", S);
	returned("signal(h2) restarting again", signal(S, h2));
	show("after signal(h2)", S);

	/* System V: one shot, reset by the kernel. */
	returned("sysv_signal(h1)", sysv_signal(S, h1));
	show("after sysv_signal(h1)", S);
	raise(S);
	show("after raise", S);
	returned("__sysv_signal(h2)", __sysv_signal(S, h2));
	raise(S);
	returned("signal(h1) after one shot", signal(S, h1));
	a.sa_handler = h2;
	a.sa_flags = SA_RESETHAND;
	sigaction(S, &a, &old);
	printf("%-34s old=%s\n", "sigaction(h2, SA_RESETHAND)", name(old.sa_handler));
	raise(S);
	show("after raise", S);

	/* sigset and SIG_HOLD. */
	returned("sigset(h1)", sigset(S, h1));
	show("after sigset(h1)", S);
	returned("sigset(SIG_HOLD)", sigset(S, SIG_HOLD));
	blocked("after sigset(SIG_HOLD)", S);
	returned("sigset(SIG_HOLD) again", sigset(S, SIG_HOLD));
	returned("sigset(h2) while held", sigset(S, h2));
	blocked("after sigset(h2)", S);
	returned("sigset(SIG_IGN)", sigset(S, SIG_IGN));
	returned("sigset(SIG_DFL)", sigset(S, SIG_DFL));

	/* What libc refuses, the shim refuses the same way. */
	returned("signal(SIGKILL, h1)", signal(SIGKILL, h1));
	returned("signal(0, h1)", signal(0, h1));
	returned("signal(65, h1)", signal(65, h1));
	returned("signal(32, h1)", signal(32, h1));
	returned("signal(S, SIG_ERR)", signal(S, SIG_ERR));
	returned("sysv_signal(SIGSTOP, h1)", sysv_signal(SIGSTOP, h1));
	returned("sysv_signal(33, h1)", sysv_signal(33, h1));
	returned("sigset(SIGKILL, h1)", sigset(SIGKILL, h1));
	returned("sigset(33, SIG_HOLD)", sigset(33, SIG_HOLD));
	errno = 0;
	int rc = siginterrupt(SIGKILL, 1);
	printf("%-34s rc=%d errno=%s\n", "siginterrupt(SIGKILL, 1)", rc,
	       strerrorname_np(errno));
	errno = 0;
	rc = siginterrupt(99, 1);
	printf("%-34s rc=%d errno=%s\n", "siginterrupt(99, 1)", rc,
	       strerrorname_np(errno));

	/* A handler leaves errno as the interrupted code had it. */
	signal(S, h1);
	siginterrupt(S, 1);
	errno = 1234;
	raise(S);
	printf("errno after a handler: %d\n", errno);
	return 0;
}

/* --- vfork ----------------------------------------------------------- */

static int vforked(void)
{
	const int S = SIGUSR1;
	struct sigaction a = { .sa_handler = h1 }, saved, mine = { .sa_handler = h2 };
	sigaction(S, &a, NULL);
	pid_t pid = vfork();
	if (pid == 0) {
		/* As CPython's child does before exec: shared memory. */
		struct sigaction dfl = { .sa_handler = SIG_DFL };
		sigaction(S, &dfl, NULL);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	show("after the vfork child reset it", S);
	sigaction(S, &mine, &saved);
	printf("saved=%s\n", name(saved.sa_handler));
	sigaction(S, &saved, NULL);
	show("after restoring it", S);
	raise(S);
	printf("done\n");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "stop")) {
		dead_port = atoi(argv[3]);
		return stop(argv[2], atoi(argv[4]));
	}
	if (argc == 4 && !strcmp(argv[1], "shutdown")) {
		dead_port = atoi(argv[3]);
		return shutdown_(argv[2]);
	}
	if (argc == 3 && !strcmp(argv[1], "just-before")) {
		dead_port = atoi(argv[2]);
		return just_before();
	}
	if (argc == 2 && !strcmp(argv[1], "report"))
		return report();
	if (argc == 2 && !strcmp(argv[1], "vfork"))
		return vforked();
	fprintf(stderr, "sigways: bad arguments\n");
	return 2;
}
