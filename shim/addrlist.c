/* addrlist.c: remembers the addresses of this thread's most recent
 * getaddrinfo result, for address-list fallthrough.
 *
 * Where to record: the list itself cannot be kept.  Python's
 * create_connection copies it and calls freeaddrinfo before its first
 * connect, and a list may be freed by another thread, so a saved
 * pointer would dangle.  Recording on freeaddrinfo would miss the C
 * programs that connect while walking the live list, and still need a
 * pointer for them.  So the addresses are copied on getaddrinfo success
 * into initial-exec TLS: no allocation, no lock, nothing to free, a few
 * moves per address.  That is the one cost added to a successful
 * getaddrinfo, a call that itself reads files, opens sockets and costs
 * tens of thousands of instructions; every other wrapper pays nothing.
 *
 * Only the first ADDRS_KEPT addresses and the last one are kept; an
 * address further down a longer list is simply retried as before. */
#include "addrlist.h"

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#define ADDRS_KEPT 8

struct addr_key {
	uint16_t family;
	uint16_t port;		/* network order; 0 matches any port */
	uint32_t scope;
	uint8_t addr[16];
};

struct recent {
	unsigned count;		/* kept non-last addresses */
	bool valid;		/* last holds the last address */
	struct addr_key kept[ADDRS_KEPT];
	struct addr_key last;
};

static __thread struct recent recent __attribute__((tls_model("initial-exec")));

static bool key_of(struct addr_key *k, const struct sockaddr *sa,
		   socklen_t len)
{
	if (!sa)
		return false;
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)sa;
		*k = (struct addr_key){ .family = AF_INET, .port = in->sin_port };
		memcpy(k->addr, &in->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		*k = (struct addr_key){ .family = AF_INET6,
					.port = in6->sin6_port,
					.scope = in6->sin6_scope_id };
		memcpy(k->addr, &in6->sin6_addr, 16);
		return true;
	}
	return false;
}

void addrlist_note(const struct addrinfo *list)
{
	struct recent *r = &recent;
	struct addr_key k;
	unsigned n = 0;
	r->valid = false;
	for (const struct addrinfo *ai = list; ai; ai = ai->ai_next) {
		if (!key_of(&k, ai->ai_addr, ai->ai_addrlen))
			continue;
		/* Without a socktype hint each address comes three times. */
		if (r->valid && memcmp(&k, &r->last, sizeof(k)) == 0)
			continue;
		if (r->valid && n < ADDRS_KEPT)
			r->kept[n++] = r->last;
		r->last = k;
		r->valid = true;
	}
	r->count = n;
}

static bool same(const struct addr_key *listed, const struct addr_key *k)
{
	return listed->family == k->family && listed->scope == k->scope &&
	       (listed->port == k->port || listed->port == 0) &&
	       memcmp(listed->addr, k->addr, 16) == 0;
}

bool addrlist_has_more_after(const struct sockaddr *addr, socklen_t len)
{
	const struct recent *r = &recent;
	struct addr_key k;
	if (!r->valid || !key_of(&k, addr, len) || same(&r->last, &k))
		return false;
	for (unsigned i = 0; i < r->count; i++)
		if (same(&r->kept[i], &k))
			return true;
	return false;
}
