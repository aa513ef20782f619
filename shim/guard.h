/* guard.h: the thread-local flag that keeps the shim out of its own way.
 *
 * While the shim works on a thread (a retry series, loading its config,
 * looking up libc), any wrapped call that thread makes, directly or
 * through libc (NSS inside getaddrinfo, dlsym), passes straight through
 * and never starts a second series.  initial-exec TLS is a plain
 * %fs-relative access: no allocation, safe in signal handlers.  Only
 * these functions touch guard_depth (defined in guard.c). */
#ifndef KAIORETRY_GUARD_H
#define KAIORETRY_GUARD_H

#include <stdbool.h>
#include <stdint.h>

extern __thread int guard_depth __attribute__((tls_model("initial-exec")));

static inline bool guard_held(void)
{
	return guard_depth != 0;
}

static inline void guard_enter(void)
{
	guard_depth++;
}

static inline void guard_leave(void)
{
	if (guard_depth > 0)
		guard_depth--;
}

/* Lets go of every level at once: for a series whose frame a jump out
 * of a handler abandoned while it held the guard (series.c, jumps.c). */
static inline void guard_release_all(void)
{
	guard_depth = 0;
}

#endif
