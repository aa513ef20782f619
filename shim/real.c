/* real.c: finds libc's functions with dlsym(RTLD_NEXT), once each.
 *
 * Each slot starts at a resolver stub.  The first call through a stub
 * looks the function up and publishes it with an atomic store, so any
 * thread may get there first, even before our constructor runs.  Two
 * threads racing only look up the same pointer twice. */
#include "real.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>

#include "guard.h"

#define FAILURE_NEG1 (-1)
#define FAILURE_EAI EAI_SYSTEM

/* Set while dlsym runs on this thread: a wrapped call from inside it
 * (an exotic malloc reading a file) must not look up again. */
static __thread bool resolving __attribute__((tls_model("initial-exec")));

static bool resolve(void **libc_slot, void **attempt_slot, void *stub,
		    const char *name)
{
	if (resolving)
		return false;
	resolving = true;
	guard_enter();
	void *fn = dlsym(RTLD_NEXT, name);
	guard_leave();
	resolving = false;
	if (!fn)
		return false;
	__atomic_store_n(libc_slot, fn, __ATOMIC_RELEASE);
	/* Leave the injector in place if it was installed meanwhile. */
	void *expected = stub;
	__atomic_compare_exchange_n(attempt_slot, &expected, fn, false,
				    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
	return true;
}

#define CALL(name, family, type, params, args, blocking, target, again, fails) \
	static type resolve_##name params                                     \
	{                                                                     \
		if (!resolve((void **)&libc.name, (void **)&attempt.name,    \
			     (void *)resolve_##name, #name)) {                \
			errno = ENOSYS;                                       \
			return FAILURE_##fails;                               \
		}                                                             \
		return attempt.name args;                                     \
	}
#include "calls.def"
#undef CALL

static int resolve_sigaction(int sig, const struct sigaction *act,
			     struct sigaction *old)
{
	if (!resolve((void **)&libc.sigaction, (void **)&attempt.sigaction,
		     (void *)resolve_sigaction, "sigaction")) {
		errno = ENOSYS;
		return -1;
	}
	return libc.sigaction(sig, act, old);
}

/* Looked up on its first use only, not by real_resolve_all: a program
 * that never frees a getaddrinfo list does not pay the dlsym at start. */
static void resolve_freeaddrinfo(struct addrinfo *list)
{
	if (resolve((void **)&libc.freeaddrinfo, (void **)&attempt.freeaddrinfo,
		    (void *)resolve_freeaddrinfo, "freeaddrinfo"))
		libc.freeaddrinfo(list);
}

#define CALL(name, ...) .name = resolve_##name,
struct calls libc = {
#include "calls.def"
	.sigaction = resolve_sigaction,
	.freeaddrinfo = resolve_freeaddrinfo,
};
struct calls attempt = {
#include "calls.def"
	.sigaction = resolve_sigaction,
	.freeaddrinfo = resolve_freeaddrinfo,
};
#undef CALL

void real_resolve_all(void)
{
#define CALL(name, ...)                                                       \
	if ((void *)libc.name == (void *)resolve_##name)                     \
		resolve((void **)&libc.name, (void **)&attempt.name,         \
			(void *)resolve_##name, #name);
#include "calls.def"
#undef CALL
	if (libc.sigaction == resolve_sigaction)
		resolve((void **)&libc.sigaction, (void **)&attempt.sigaction,
			(void *)resolve_sigaction, "sigaction");
}
