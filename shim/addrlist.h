/* addrlist.h: the most recent getaddrinfo result of this thread, so that
 * a connect to one of its addresses other than the last is not retried:
 * the program walking the list moves on to the next address at once.
 * addrlist.c explains why the list is never read once freed. */
#ifndef KAIORETRY_ADDRLIST_H
#define KAIORETRY_ADDRLIST_H

#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct addrlist_recent {
	const struct addrinfo *list;	/* the most recent result, or NULL */
	uint64_t generation;		/* addrlist_generation when noted */
	struct addrinfo *held;		/* freed by the program, kept by us */
};

extern __thread struct addrlist_recent addrlist_recent
	__attribute__((tls_model("initial-exec")));
extern uint64_t addrlist_generation __attribute__((visibility("hidden")));

/* Every successful getaddrinfo of this thread: two loads, two stores. */
static inline void addrlist_note(const struct addrinfo *list)
{
	addrlist_recent.list = list;
	addrlist_recent.generation =
		__atomic_load_n(&addrlist_generation, __ATOMIC_RELAXED);
}

/* True when addr is an address of the most recent result that is not
 * its last one (and that result can still be read safely). */
bool addrlist_has_more_after(const struct sockaddr *addr, socklen_t len);

#endif
