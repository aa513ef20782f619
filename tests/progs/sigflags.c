/* sigflags: sets a handler each way the C library offers and prints
 * what sigaction then reports (handler, SA_* flags, the signal in its
 * own mask), so a test can hold a preloaded run against a raw one:
 * the library rebuilds these setters on its sigaction, by the rules of
 * the libc it was built for.
 *
 *   sigflags */
#include <signal.h>
#include <stdio.h>

/* The old setters are what this program is about. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

sighandler_t bsd_signal(int sig, sighandler_t handler);
sighandler_t __sysv_signal(int sig, sighandler_t handler);
sighandler_t sigset(int sig, sighandler_t disp);

static void handler(int sig)
{
	(void)sig;
}

static void show(const char *how, sighandler_t returned)
{
	struct sigaction now;
	sigaction(SIGUSR1, NULL, &now);
	printf("%-24s returned=%s handler=%s restart=%d resethand=%d "
	       "nodefer=%d self_masked=%d\n", how,
	       returned == SIG_ERR ? "SIG_ERR" : returned == handler ? "h" :
	       returned == SIG_DFL ? "SIG_DFL" : returned == SIG_HOLD ? "SIG_HOLD" : "?",
	       now.sa_handler == handler ? "h" :
	       now.sa_handler == SIG_DFL ? "SIG_DFL" : "?",
	       !!(now.sa_flags & SA_RESTART), !!(now.sa_flags & SA_RESETHAND),
	       !!(now.sa_flags & SA_NODEFER), sigismember(&now.sa_mask, SIGUSR1));
}

static void reset(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigaction(SIGUSR1, &dfl, NULL);
	siginterrupt(SIGUSR1, 0);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int main(void)
{
	reset();
	show("signal", signal(SIGUSR1, handler));
	reset();
	show("bsd_signal", bsd_signal(SIGUSR1, handler));
	reset();
	show("__sysv_signal", __sysv_signal(SIGUSR1, handler));
	reset();
	show("sigset", sigset(SIGUSR1, handler));
	show("sigset(SIG_HOLD)", sigset(SIGUSR1, SIG_HOLD));
	reset();
	signal(SIGUSR1, handler);
	printf("siginterrupt rc=%d\n", siginterrupt(SIGUSR1, 1));
	show("after siginterrupt(1)", handler);
	show("then signal", signal(SIGUSR1, handler));
	show("signal(SIGKILL)", signal(SIGKILL, handler));
	show("signal(0)", signal(0, handler));
	return 0;
}
