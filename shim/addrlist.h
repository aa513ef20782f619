/* addrlist.h: the recent getaddrinfo results of the whole process, so
 * that a connect to one of a result's addresses other than its last is
 * not retried: the program walking the list moves on to the next
 * address at once.  addrlist.c says what is kept and why it is safe. */
#ifndef KAIORETRY_ADDRLIST_H
#define KAIORETRY_ADDRLIST_H

#include <netdb.h>
#include <stdbool.h>
#include <sys/socket.h>

/* Every successful getaddrinfo, with the list it just returned. */
void addrlist_note(const struct addrinfo *list);

/* True when addr (the shim's own copy, see progmem.h) is an address of
 * a recent result other than its last: in the most recent result that
 * holds it at all. */
bool addrlist_has_more_after(const struct sockaddr *addr, socklen_t len);

#endif
