/* hooks.c: the calls of hooks.def that set a handler the C way, and
 * chroot.
 *
 * Start-up looks nothing up and reads no zone: most processes never
 * need either, and both cost a fresh process tens of microseconds.  The
 * price is that both must be done before a signal handler can call a
 * wrapped function, so every way a program installs a handler comes
 * through here first (sigaction: signals.c).  And a program about to
 * chroot may be about to lose /etc/localtime, so the zone is read
 * before it does. */
#include "hooks.h"

#include <stdbool.h>

#include "../common/attributes.h"
#include "localclock.h"
#include "real.h"

void hooks_before_handlers(void)
{
	real_resolve_all();
	localclock_ready();
}

static bool is_function(sighandler_t handler)
{
	return handler != SIG_DFL && handler != SIG_IGN && handler != SIG_ERR &&
	       handler != SIG_HOLD;
}

#define SETTER(name)                                                          \
	EXPORT sighandler_t name(int sig, sighandler_t handler)               \
	{                                                                     \
		if (is_function(handler))                                     \
			hooks_before_handlers();                              \
		return hooked.name(sig, handler);                             \
	}
SETTER(signal)
SETTER(bsd_signal)
SETTER(sysv_signal)
SETTER(sigset)

EXPORT int chroot(const char *path)
{
	localclock_ready();
	return hooked.chroot(path);
}
