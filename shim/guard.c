/* guard.c: the storage of the thread-local guard (guard.h).
 *
 * Its own file, at the bottom of the shim, because every layer enters
 * and leaves the guard: real.c around dlsym, runtime.c around loading,
 * series.c around a whole series.  The functions are inline in
 * guard.h; only the variable lives here. */
#include "guard.h"

__thread int guard_depth __attribute__((tls_model("initial-exec")));
