/* signals.c: the sigaction wrapper that lets a retry series notice a
 * handler without SA_RESTART.
 *
 * The kernel tells a blocking call about such a handler by failing it
 * with EINTR; a retry loop that spins on quick failures (delay=0) would
 * never see one.  So when the program installs such a handler we
 * install a trampoline that counts, per thread, then calls the program's
 * handler.  The program still sees its own handler in `oldact`.
 * Handlers with SA_RESTART, SIG_DFL and SIG_IGN are left untouched.
 * Installing any handler first runs hooks_before_handlers. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>

#include "../common/attributes.h"
#include "hooks.h"
#include "real.h"
#include "signals.h"

__thread unsigned signals_seen __attribute__((tls_model("initial-exec")));

static struct sigaction program_action[NSIG];
static bool wrapped[NSIG];

static void trampoline(int sig, siginfo_t *info, void *context)
{
	const struct sigaction *a = &program_action[sig];
	__atomic_store_n(&signals_seen, signals_seen + 1, __ATOMIC_RELAXED);
	if (a->sa_flags & SA_RESETHAND)
		wrapped[sig] = false;	/* the kernel reset it to SIG_DFL */
	if (a->sa_flags & SA_SIGINFO)
		a->sa_sigaction(sig, info, context);
	else
		a->sa_handler(sig);
}

static bool installs_handler(const struct sigaction *act)
{
	if (!act)
		return false;
	if (act->sa_flags & SA_SIGINFO)
		return act->sa_sigaction != NULL;
	return act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN;
}

static bool wants_trampoline(const struct sigaction *act)
{
	return installs_handler(act) && !(act->sa_flags & SA_RESTART);
}

EXPORT int sigaction(int sig, const struct sigaction *act,
		     struct sigaction *old)
{
	if (installs_handler(act))
		hooks_before_handlers();
	if (sig <= 0 || sig >= NSIG)
		return hooked.sigaction(sig, act, old);

	/* Block everything while the table and the kernel disagree. */
	sigset_t all, before;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &before);

	struct sigaction previous = program_action[sig];
	bool was_wrapped = wrapped[sig];
	struct sigaction mine;
	const struct sigaction *install = act;
	bool wrap = wants_trampoline(act);
	if (wrap) {
		program_action[sig] = *act;
		mine = *act;
		mine.sa_flags |= SA_SIGINFO;
		mine.sa_sigaction = trampoline;
		install = &mine;
	}
	int rc = hooked.sigaction(sig, install, old);
	int saved = errno;
	if (rc == 0) {
		if (act)
			wrapped[sig] = wrap;
		if (old && was_wrapped)
			*old = previous;
	} else if (wrap) {
		program_action[sig] = previous;
	}
	pthread_sigmask(SIG_SETMASK, &before, NULL);
	errno = saved;
	return rc;
}
