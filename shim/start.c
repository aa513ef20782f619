/* start.c: the constructor, the top of the shim.
 *
 * It loads the configuration (runtime.c) and installs what a policy
 * turns on by swapping `attempt` pointers: the fault injectors, then
 * the connect bound, which wraps them, so injected faults land beneath
 * it, then the readiness check, outermost.  Nothing else happens at start-up: libc's functions are looked
 * up and the time zone read when first needed (real.h, hooks.c).  It
 * sits above every other file because it is the one place that knows
 * them all. */
#include <errno.h>

#include "connect_timeout.h"
#include "inject.h"
#include "ready.h"
#include "runtime.h"

/* errno at main is what the program would see without us: whatever
 * the loading leaves (access of /etc/kaioretry.ini) is put back. */
__attribute__((constructor)) static void start(void)
{
	int saved = errno;
	const struct config *cfg = runtime_config();
	if (cfg) {
		inject_start(cfg);
		connect_timeout_install(cfg);
		ready_install(cfg);	/* outermost: checks before bounds */
	}
	errno = saved;
}
