/* addrmatch.h: what address-list fallthrough keeps of a getaddrinfo
 * result, and where an address stands in it (pure: reads only what it
 * is given; addrlist.c decides when and keeps the records). */
#ifndef KAIORETRY_ADDRMATCH_H
#define KAIORETRY_ADDRMATCH_H

#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* An IP address as two words; family, port and scope in `tag`. */
struct addr_key {
	uint64_t high, low;
	uint64_t tag;		/* family << 48 | port << 32 | scope */
};

/* The first distinct addresses of a result kept, and a result's length
 * past which nothing is kept (a list that long, or a cycle). */
#define ADDRMATCH_KEEP 8
#define ADDRMATCH_WALK_MAX 1024

struct addr_record {
	unsigned count;				/* keys in key[] */
	struct addr_key last;			/* the result's last address */
	struct addr_key key[ADDRMATCH_KEEP];	/* its first distinct ones */
};

enum addr_place { ADDR_UNLISTED, ADDR_BEFORE_LAST, ADDR_LAST };

/* The key of an AF_INET or AF_INET6 address of `len` bytes; false for
 * anything else.  Reads addr only as far as len says. */
bool addrmatch_key(struct addr_key *k, const struct sockaddr *addr,
		   socklen_t len);

/* Fills r from a getaddrinfo result (one pass, no allocation).  A run of
 * entries with the same address (one per socket type) counts once.
 * False when nothing was kept: no IP address, or too long a list. */
bool addrmatch_record(struct addr_record *r, const struct addrinfo *list);

/* Where k stands in r: its last address (or equal to it), one before it
 * among the kept ones, or not kept.  A kept port of 0 (a lookup without
 * a service) matches any port.  Safe on a torn copy: count is bounded. */
enum addr_place addrmatch_place(const struct addr_record *r,
				const struct addr_key *k);

#endif
