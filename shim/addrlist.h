/* addrlist.h: the most recent getaddrinfo result of this thread, so that
 * a connect to one of its addresses other than the last is not retried:
 * the program walking the list moves on to the next address at once. */
#ifndef KAIORETRY_ADDRLIST_H
#define KAIORETRY_ADDRLIST_H

#include <netdb.h>
#include <stdbool.h>
#include <sys/socket.h>

/* Called on every successful getaddrinfo of this thread. */
void addrlist_note(const struct addrinfo *list);

/* True when addr is an address of the most recent result that is not
 * its last one. */
bool addrlist_has_more_after(const struct sockaddr *addr, socklen_t len);

#endif
