/* real.c: finds libc's functions with dlsym(RTLD_NEXT), once each.
 *
 * Each slot starts at a resolver stub.  The first call through a stub
 * looks the function up and publishes it with an atomic store, so any
 * thread may get there first, even before our constructor runs.  Two
 * threads racing only look up the same pointer twice.  And the clock
 * our sleeps wait on, which must be the kernel's own. */
#include "real.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guard.h"

#define FAILURE_NEG1 (-1)
#define FAILURE_EAI EAI_SYSTEM
/* No lookup could be made: NO_RECOVERY (musl has no NETDB_INTERNAL). */
#define FAILURE_NULL_H (h_errno = NO_RECOVERY, NULL)
#define FAILURE_NEG1_H (h_errno = NO_RECOVERY, -1)
#define FAILURE_R_H (*result = NULL, *h_errnop = NO_RECOVERY, ENOSYS)
#define FAILURE_NULL_E NULL
#define FAILURE_R_E (*result = NULL, ENOSYS)

/* Set while dlsym runs on this thread: a wrapped call from inside it
 * (an exotic malloc reading a file) must not look up again. */
static __thread bool resolving __attribute__((tls_model("initial-exec")));

/* `attempt_slot` (NULL for hooks) moves from the stub to the function
 * too, unless the injector took it meanwhile. */
static bool resolve(void **libc_slot, void **attempt_slot, void *stub,
		    const char *name)
{
	if (resolving)
		return false;
	resolving = true;
	guard_enter();
	void *fn = dlsym(RTLD_NEXT, name);
	/* __res_query and its kin are glibc's old, non-default versions
	 * of res_query..., which dlsym does not return. */
	if (!fn && name[0] == '_' && name[1] == '_')
		fn = dlsym(RTLD_NEXT, name + 2);
	guard_leave();
	resolving = false;
	if (!fn)
		return false;
	__atomic_store_n(libc_slot, fn, __ATOMIC_RELEASE);
	void *expected = stub;
	if (attempt_slot)
		__atomic_compare_exchange_n(attempt_slot, &expected, fn, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
	return true;
}

/* A stub calls the function it found, never `attempt`: whoever calls
 * through libc.X (the injector, a bound) wants libc's.  It may be
 * called again after the lookup (a bound keeps the pointer it found in
 * attempt.connect), so it looks up only while the slot is still its. */
#define CALL(name, family, type, params, args, blocking, target, again, fails) \
	static type resolve_##name PROTOTYPE_##again(params)                  \
	{                                                                     \
		TAKE_MODE_##again                                             \
		if ((void *)libc.name == (void *)resolve_##name &&           \
		    !resolve((void **)&libc.name, (void **)&attempt.name,    \
			     (void *)resolve_##name, #name)) {                \
			errno = ENOSYS;                                       \
			return FAILURE_##fails;                               \
		}                                                             \
		return libc.name args;                                        \
	}
#include "../common/calls.def"
#undef CALL

#define HOOK(type, name, params, args, failure)                               \
	static type resolve_##name params                                     \
	{                                                                     \
		if ((void *)hooked.name == (void *)resolve_##name &&         \
		    !resolve((void **)&hooked.name, NULL,                     \
			     (void *)resolve_##name, #name)) {                \
			errno = ENOSYS;                                       \
			return failure;                                       \
		}                                                             \
		return hooked.name args;                                      \
	}
#include "hooks.def"
#undef HOOK

#define CALL(name, ...) .name = resolve_##name,
struct calls libc = {
#include "../common/calls.def"
};
struct calls attempt = {
#include "../common/calls.def"
};
#undef CALL

#define HOOK(type, name, ...) .name = resolve_##name,
struct hooks hooked = {
#include "hooks.def"
};
#undef HOOK

/* glibc's clock_gettime, from libc.so.6 itself: RTLD_NEXT could find
 * a library that fakes the time.  Looked up once, found or not. */
typedef int (*clock_reader)(clockid_t, struct timespec *);
static clock_reader glibc_clock_gettime;
static bool clock_looked_up;

static void look_up_clock(void)
{
	if (resolving)
		return;
	resolving = true;
	guard_enter();
	void *glibc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	void *fn = glibc ? dlsym(glibc, "clock_gettime") : NULL;
	if (glibc)
		dlclose(glibc);
	guard_leave();
	resolving = false;
	__atomic_store_n(&glibc_clock_gettime, (clock_reader)fn,
			 __ATOMIC_RELEASE);
	__atomic_store_n(&clock_looked_up, true, __ATOMIC_RELEASE);
}

int real_monotonic(struct timespec *t, bool may_look_up)
{
	if (may_look_up && !__atomic_load_n(&clock_looked_up, __ATOMIC_ACQUIRE))
		look_up_clock();
	clock_reader read = __atomic_load_n(&glibc_clock_gettime,
					    __ATOMIC_ACQUIRE);
	if (read)
		return read(CLOCK_MONOTONIC, t) == 0 ? 0 : -1;
	return syscall(SYS_clock_gettime, CLOCK_MONOTONIC, t) == 0 ? 0 : -1;
}

/* Once every name was asked for, found or not: a name this libc lacks
 * is not asked for again at each handler a program installs. */
static bool all_looked_up;

void real_resolve_all(void)
{
	if (resolving || __atomic_load_n(&all_looked_up, __ATOMIC_ACQUIRE))
		return;		/* (from inside a lookup, none could run) */
#define CALL(name, ...)                                                       \
	if ((void *)libc.name == (void *)resolve_##name)                     \
		resolve((void **)&libc.name, (void **)&attempt.name,         \
			(void *)resolve_##name, #name);
#include "../common/calls.def"
#undef CALL
#define HOOK(type, name, ...)                                                 \
	if ((void *)hooked.name == (void *)resolve_##name)                   \
		resolve((void **)&hooked.name, NULL, (void *)resolve_##name, \
			#name);
#include "hooks.def"
#undef HOOK
	if (!__atomic_load_n(&clock_looked_up, __ATOMIC_ACQUIRE))
		look_up_clock();
	__atomic_store_n(&all_looked_up, true, __ATOMIC_RELEASE);
}
