/* real.h: the functions a wrapper calls.
 *
 * `libc` holds the true functions, found with dlsym(RTLD_NEXT).
 * `attempt` is what wrappers and retries call: libc's function, or the
 * fault injector's when it is on.  Both start out pointing at resolver
 * stubs, so a call that arrives before our constructor (from another
 * library's constructor, or an early thread) still works. */
#ifndef KAIORETRY_REAL_H
#define KAIORETRY_REAL_H

#include <netdb.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

/* glibc's _FORTIFY_SOURCE entry points; its headers only declare them
 * when fortifying, which the shim never does. */
ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t n, off_t offset, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t offset,
		      size_t buflen);
ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags,
		       struct sockaddr *addr, socklen_t *alen);

struct calls {
#define CALL(name, family, type, params, ...) type(*name) params;
#include "calls.def"
#undef CALL
	int (*sigaction)(int, const struct sigaction *, struct sigaction *);
	void (*freeaddrinfo)(struct addrinfo *);	/* addrlist.c */
};

extern struct calls libc;
extern struct calls attempt;

/* Resolves every function now; the constructor calls it so that the
 * wrappers never meet a resolver stub afterwards. */
void real_resolve_all(void);

#endif
