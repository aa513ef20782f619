/* real.h: the functions a wrapper calls.
 *
 * `libc` holds the true functions, found with dlsym(RTLD_NEXT) on first
 * use.  `attempt` is what wrappers and retries call: libc's function, or
 * the fault injector's when it is on.  `hooked` holds the true versions
 * of the calls in hooks.def.  Every slot starts out at a resolver stub,
 * so start-up looks nothing up and a process pays only for the calls it
 * makes; before the program installs a signal handler, everything is
 * looked up at once (hooks.c), so a handler never meets dlsym. */
#ifndef KAIORETRY_REAL_H
#define KAIORETRY_REAL_H

#include <netdb.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <resolv.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#include "variadic.h"

/* glibc's _FORTIFY_SOURCE entry points; its headers only declare them
 * when fortifying, which the shim never does. */
ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t n, off_t offset, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t offset,
		      size_t buflen);
ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags,
		       struct sockaddr *addr, socklen_t *alen);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int chroot(const char *path);
void __longjmp_chk(jmp_buf env, int val);

struct calls {
#define CALL(name, family, type, params, args, blocking, target, again,     \
	     fails)                                                           \
	type(*name) PROTOTYPE_##again(params);
#include "../common/calls.def"
#undef CALL
};

struct hooks {
#define HOOK(type, name, params, args, failure) type(*name) params;
#include "hooks.def"
#undef HOOK
};

extern struct calls libc;
extern struct calls attempt;
extern struct hooks hooked;

/* Looks up every function not looked up yet. */
void real_resolve_all(void);

/* The kernel's CLOCK_MONOTONIC, the clock a futex or an absolute
 * clock_nanosleep waits on: through glibc's own clock_gettime (the
 * vDSO, no system call), never a preloaded one that fakes the time
 * (libfaketime); the system call where glibc's was not found.  0, or
 * -1 when the clock cannot be read (a seccomp filter).  `may_look_up`
 * false (in a signal handler) never runs the loader. */
int real_monotonic(struct timespec *t, bool may_look_up);

#endif
