/* hooks.c: what must be done before the program's own code can
 * interrupt us, and chroot.
 *
 * Start-up looks nothing up and reads no zone: most processes never
 * need either, and both cost a fresh process tens of microseconds.  The
 * price is that both must be done before a signal handler can call a
 * wrapped function, so every way a program installs a handler comes
 * through here first (signals.c, signal_setters.c).  And a program
 * about to chroot may be about to lose /etc/localtime, so the zone is
 * read before it does. */
#include "hooks.h"

#include "../common/attributes.h"
#include "localclock.h"
#include "real.h"

void hooks_before_handlers(void)
{
	real_resolve_all();
	localclock_ready();
}

EXPORT int chroot(const char *path)
{
	localclock_ready();
	return hooked.chroot(path);
}
