/* instance.c: tells the first loaded copy of kaioretry from later ones.
 *
 * LD_PRELOAD=lib:/other/path/lib (or a preload plus a dlopen) loads two
 * copies; each would run its own retry series around the other's, so a
 * failing call would be tried tries*tries times and logged twice.  Every
 * copy exports `kaioretry_instance`, and the loader binds every copy's
 * reference to it to the first copy's: any other copy stays a pure
 * pass-through.  Reading it through that binding costs no lookup at
 * start-up (dlsym's first call costs a process some 20 us). */
#include "instance.h"

#include "../common/attributes.h"

/* What the exported pointer points at tells whose it is: our marker is
 * static, so never interposed. */
static const char marker;
EXPORT const char *kaioretry_instance = &marker;

bool instance_is_first(void)
{
	/* Not folded to `true`: the load goes through the GOT entry the
	 * loader bound to the first copy's definition. */
	return __atomic_load_n(&kaioretry_instance, __ATOMIC_RELAXED) == &marker;
}
