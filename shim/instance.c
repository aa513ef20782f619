/* instance.c: tells the first loaded copy of kaioretry from later ones.
 *
 * LD_PRELOAD=lib:/other/path/lib (or a preload plus a dlopen) loads two
 * copies; each would run its own retry series around the other's, so a
 * failing call would be tried tries*tries times and logged twice.  Every
 * copy exports `kaioretry_instance`; the global lookup finds the first
 * copy's, and any other copy stays a pure pass-through. */
#include "instance.h"

#include <dlfcn.h>
#include <stddef.h>

/* The exported pointer may be interposed, so compare what it points at
 * with our own (static, so never interposed) marker. */
static const char marker;
__attribute__((visibility("default")))
const char *const kaioretry_instance = &marker;

bool instance_is_first(void)
{
	const char *const *first = dlsym(RTLD_DEFAULT, "kaioretry_instance");
	return first == NULL || *first == &marker;
}
