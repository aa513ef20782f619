/* addrlist.c: remembers the addresses of this thread's most recent
 * getaddrinfo result, for address-list fallthrough.
 *
 * Where to record: the list itself cannot be kept.  Python's
 * create_connection copies it and calls freeaddrinfo before its first
 * connect, and a list may be freed by another thread, so a saved
 * pointer would dangle.  Recording on freeaddrinfo would miss the C
 * programs that connect while walking the live list, and still need a
 * pointer for them.  So the addresses are copied on getaddrinfo success
 * into initial-exec TLS: no allocation, no lock, nothing to free.  That
 * is the one cost added to a successful getaddrinfo (callgrind: 35
 * instructions for localhost's two addresses, against about 6,900 for
 * the lookup itself from /etc/hosts, far more with DNS); no other
 * wrapper pays anything.
 *
 * Only the first ADDRS_KEPT addresses and the last one are kept; an
 * address further down a longer list is simply retried as before. */
#include "addrlist.h"

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#define ADDRS_KEPT 8

/* An address as two words, so that copying and comparing stay a few
 * moves: IPv4 in `high`, IPv6 in both; family, port and scope in `tag`. */
struct addr_key {
	uint64_t high, low;
	uint64_t tag;		/* family << 48 | port << 32 | scope */
};

#define TAG_PORT_MASK ((uint64_t)0xffff << 32)

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
		k->high = in->sin_addr.s_addr;
		k->low = 0;
		k->tag = (uint64_t)AF_INET << 48 | (uint64_t)in->sin_port << 32;
		return true;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		memcpy(&k->high, in6->sin6_addr.s6_addr, 8);
		memcpy(&k->low, in6->sin6_addr.s6_addr + 8, 8);
		k->tag = (uint64_t)AF_INET6 << 48 |
			 (uint64_t)in6->sin6_port << 32 | in6->sin6_scope_id;
		return true;
	}
	return false;
}

static bool same(const struct addr_key *a, const struct addr_key *b)
{
	return a->high == b->high && a->low == b->low && a->tag == b->tag;
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
		if (r->valid) {
			/* Without a socktype hint each address comes thrice. */
			if (same(&k, &r->last))
				continue;
			if (n < ADDRS_KEPT)
				r->kept[n++] = r->last;
		}
		r->last = k;
		r->valid = true;
	}
	r->count = n;
}

/* A listed port of 0 (getaddrinfo without a service; the program sets
 * the port itself) matches any port. */
static bool listed(const struct addr_key *entry, const struct addr_key *k)
{
	uint64_t tag = entry->tag & TAG_PORT_MASK ? k->tag : k->tag & ~TAG_PORT_MASK;
	return entry->high == k->high && entry->low == k->low && entry->tag == tag;
}

bool addrlist_has_more_after(const struct sockaddr *addr, socklen_t len)
{
	const struct recent *r = &recent;
	struct addr_key k;
	if (!r->valid || !key_of(&k, addr, len) || listed(&r->last, &k))
		return false;
	for (unsigned i = 0; i < r->count; i++)
		if (listed(&r->kept[i], &k))
			return true;
	return false;
}
