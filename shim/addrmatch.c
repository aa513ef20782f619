/* addrmatch.c: the record of a getaddrinfo result that fallthrough
 * keeps, and matching an address against it (see addrmatch.h).
 * Pure: addrlist.c decides which records to keep and when to read. */
#include "addrmatch.h"

#include <netinet/in.h>
#include <string.h>

#define TAG_PORT_MASK ((uint64_t)0xffff << 32)

bool addrmatch_key(struct addr_key *k, const struct sockaddr *addr,
		   socklen_t len)
{
	if (!addr || len < sizeof(sa_family_t))
		return false;
	if (addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)addr;
		k->high = in->sin_addr.s_addr;
		k->low = 0;
		k->tag = (uint64_t)AF_INET << 48 | (uint64_t)in->sin_port << 32;
		return true;
	}
	if (addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)addr;
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

bool addrmatch_record(struct addr_record *r, const struct addrinfo *list)
{
	struct addr_key k;
	unsigned n = 0, walked = 0;
	for (const struct addrinfo *ai = list; ai; ai = ai->ai_next) {
		if (++walked > ADDRMATCH_WALK_MAX) {
			n = 0;
			break;
		}
		if (!addrmatch_key(&k, ai->ai_addr, ai->ai_addrlen))
			continue;
		if (n < ADDRMATCH_KEEP && (n == 0 || !same(&r->key[n - 1], &k)))
			r->key[n++] = k;
		r->last = k;
	}
	r->count = n;
	return n > 0;
}

/* A kept port of 0 (the program sets the port itself) matches any. */
static bool listed(const struct addr_key *kept, const struct addr_key *k)
{
	uint64_t tag = kept->tag & TAG_PORT_MASK ? k->tag : k->tag & ~TAG_PORT_MASK;
	return kept->high == k->high && kept->low == k->low && kept->tag == tag;
}

enum addr_place addrmatch_place(const struct addr_record *r,
				const struct addr_key *k)
{
	/* Read once: r may be a copy another thread is rewriting. */
	unsigned n = __atomic_load_n(&r->count, __ATOMIC_RELAXED);
	if (n == 0 || n > ADDRMATCH_KEEP)
		return ADDR_UNLISTED;
	if (listed(&r->last, k))
		return ADDR_LAST;
	for (unsigned i = 0; i < n; i++)
		if (listed(&r->key[i], k))
			return ADDR_BEFORE_LAST;
	return ADDR_UNLISTED;
}
