/* addrmatch.c: is an address one of a getaddrinfo list's addresses other
 * than the last, so that a program walking the list has another to try?
 * Pure: addrlist.c decides which list and when it is safe to read. */
#include "addrmatch.h"

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

/* An address as two words; family, port and scope in `tag`. */
struct addr_key {
	uint64_t high, low;
	uint64_t tag;		/* family << 48 | port << 32 | scope */
};

#define TAG_PORT_MASK ((uint64_t)0xffff << 32)

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

/* A listed port of 0 (the program sets the port itself) matches any. */
static bool listed(const struct addr_key *entry, const struct addr_key *k)
{
	uint64_t tag = entry->tag & TAG_PORT_MASK ? k->tag : k->tag & ~TAG_PORT_MASK;
	return entry->high == k->high && entry->low == k->low && entry->tag == tag;
}

bool addrmatch_before_last(const struct addrinfo *list,
			   const struct sockaddr *addr, socklen_t len)
{
	struct addr_key k, entry, last = { 0, 0, 0 };
	bool found = false, any = false;
	unsigned walked = 0;
	if (!key_of(&k, addr, len))
		return false;
	/* Without a socktype hint each address comes thrice; matching any
	 * entry and not the last is the same as before a distinct next. */
	for (const struct addrinfo *ai = list; ai; ai = ai->ai_next) {
		if (++walked > ADDRMATCH_WALK_MAX)
			return false;
		if (!key_of(&entry, ai->ai_addr, ai->ai_addrlen))
			continue;
		found = found || listed(&entry, &k);
		last = entry;
		any = true;
	}
	return any && found && !listed(&last, &k);
}
