/* addrmatch.h: whether an address is in a getaddrinfo list before its
 * last address (pure: reads only the list and the address it is given). */
#ifndef KAIORETRY_ADDRMATCH_H
#define KAIORETRY_ADDRMATCH_H

#include <netdb.h>
#include <stdbool.h>
#include <sys/socket.h>

/* True when addr matches an address of `list` other than its last one.
 * A listed port of 0 (getaddrinfo without a service) matches any port.
 * A list longer than ADDRMATCH_WALK_MAX entries (or a cycle) says false. */
bool addrmatch_before_last(const struct addrinfo *list,
			   const struct sockaddr *addr, socklen_t len);

#define ADDRMATCH_WALK_MAX 1024

#endif
