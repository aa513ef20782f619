/* signal_setters.c: the BSD, System V and X/Open ways of setting a
 * handler (signal, bsd_signal, ssignal, sysv_signal, __sysv_signal,
 * sigset, siginterrupt), rebuilt on our sigaction.
 *
 * glibc implements each of them with an internal sigaction that a
 * preload cannot see: a handler set that way would miss its trampoline
 * (signals.c), and the first-need lookups (hooks.c).  So we do what
 * glibc 2.36 does, with the same flags, masks, checks and return
 * values, through signals_sigaction.  A C99 program's signal() binds to
 * __sysv_signal.  glibc keeps siginterrupt's set internal, so we keep
 * our own; it is the one our signal() reads.
 *
 * musl does the same through its internal __sigaction, by its own rules
 * (musl 1.2): signal, bsd_signal and __sysv_signal are one function,
 * SA_RESTART with an empty mask and no checks of its own; siginterrupt
 * only edits the handler in place; there is no ssignal or sysv_signal. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/attributes.h"
#include "signals.h"

/* Exported by glibc, no longer declared for _GNU_SOURCE. */
sighandler_t bsd_signal(int sig, sighandler_t handler);
sighandler_t sigset(int sig, sighandler_t disp);

#ifdef __GLIBC__
/* Signals siginterrupt(sig, 1) named: bit sig - 1. */
static uint64_t interrupting;

/* The two signals glibc keeps for itself (thread cancellation and
 * set*id), which its signal() refuses up front. */
static bool is_internal(int sig)
{
	return sig == __SIGRTMIN || sig == __SIGRTMIN + 1;
}
#endif

/* Installs `handler`; `old` gets the handler it replaced, or SIG_ERR
 * when it fails (-1). */
static int install(int sig, sighandler_t handler, int flags,
		   const sigset_t *mask, sighandler_t *old)
{
	struct sigaction act = { .sa_handler = handler, .sa_mask = *mask,
				 .sa_flags = flags };
	struct sigaction before;
	int rc = signals_sigaction(sig, &act, &before);
	*old = rc == 0 ? before.sa_handler : SIG_ERR;
	return rc;
}

#ifdef __GLIBC__
/* What signal() and sysv_signal() share: glibc's argument checks, a
 * mask of the signal itself or nothing, and the old handler returned. */
static sighandler_t set_handler(int sig, sighandler_t handler, int flags,
				bool block_itself)
{
	if (handler == SIG_ERR || sig < 1 || sig >= NSIG) {
		errno = EINVAL;
		return SIG_ERR;
	}
	sigset_t mask;
	sigemptyset(&mask);
	if (block_itself)
		sigaddset(&mask, sig);
	sighandler_t old;
	install(sig, handler, flags, &mask, &old);
	return old;
}

/* BSD semantics: restarting unless siginterrupt said otherwise, the
 * signal blocked while its handler runs. */
static sighandler_t bsd_install(int sig, sighandler_t handler)
{
	if (is_internal(sig)) {
		errno = EINVAL;
		return SIG_ERR;
	}
	bool interrupts = sig >= 1 && sig < NSIG &&
			  (__atomic_load_n(&interrupting, __ATOMIC_RELAXED) >>
			   (sig - 1) & 1);
	return set_handler(sig, handler, interrupts ? 0 : SA_RESTART, true);
}
#else
/* musl's signal: restarting, nothing in the mask; its sigaction checks
 * the signal number (and refuses the ones musl keeps). */
static sighandler_t bsd_install(int sig, sighandler_t handler)
{
	sigset_t mask;
	sigemptyset(&mask);
	sighandler_t old;
	install(sig, handler, SA_RESTART, &mask, &old);
	return old;
}
#endif

EXPORT sighandler_t signal(int sig, sighandler_t handler)
{
	return bsd_install(sig, handler);
}

EXPORT sighandler_t bsd_signal(int sig, sighandler_t handler)
{
	return bsd_install(sig, handler);
}

#ifdef __GLIBC__
EXPORT sighandler_t ssignal(int sig, sighandler_t handler)
{
	return bsd_install(sig, handler);
}

/* System V semantics: one shot, not blocked while it runs, never
 * restarting (SA_INTERRUPT is a no-op glibc sets all the same). */
static sighandler_t sysv_install(int sig, sighandler_t handler)
{
	return set_handler(sig, handler, SA_RESETHAND | SA_NODEFER |
				  SA_INTERRUPT, false);
}

EXPORT sighandler_t sysv_signal(int sig, sighandler_t handler)
{
	return sysv_install(sig, handler);
}

EXPORT sighandler_t __sysv_signal(int sig, sighandler_t handler)
{
	return sysv_install(sig, handler);
}
#else
EXPORT sighandler_t __sysv_signal(int sig, sighandler_t handler)
{
	return bsd_install(sig, handler);
}
#endif

/* X/Open: SIG_HOLD blocks the signal; anything else is installed
 * without SA_RESTART and unblocks it.  SIG_HOLD is returned when the
 * signal was blocked before. */
EXPORT sighandler_t sigset(int sig, sighandler_t disp)
{
	sigset_t set, before;
	sigemptyset(&set);
	if (sigaddset(&set, sig) < 0)
		return SIG_ERR;
	if (disp == SIG_HOLD) {
		if (sigprocmask(SIG_BLOCK, &set, &before) < 0)
			return SIG_ERR;
		if (sigismember(&before, sig))
			return SIG_HOLD;
		struct sigaction now;
		if (signals_sigaction(sig, NULL, &now) < 0)
			return SIG_ERR;
		return now.sa_handler;
	}
	sigset_t empty;
	sigemptyset(&empty);
	sighandler_t old;
	if (install(sig, disp, 0, &empty, &old) < 0)
		return SIG_ERR;
	if (sigprocmask(SIG_UNBLOCK, &set, &before) < 0)
		return SIG_ERR;
	return sigismember(&before, sig) ? SIG_HOLD : old;
}

EXPORT int siginterrupt(int sig, int interrupt)
{
	struct sigaction act;
	if (signals_sigaction(sig, NULL, &act) < 0)
		return -1;
#ifdef __GLIBC__
	uint64_t bit = (uint64_t)1 << (sig - 1);
	if (interrupt)
		__atomic_or_fetch(&interrupting, bit, __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&interrupting, ~bit, __ATOMIC_RELAXED);
#endif
	if (interrupt)
		act.sa_flags &= ~SA_RESTART;
	else
		act.sa_flags |= SA_RESTART;
	return signals_sigaction(sig, &act, NULL) < 0 ? -1 : 0;
}
