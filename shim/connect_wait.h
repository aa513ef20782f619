/* connect_wait.h: the `nonblocking = wait` mode of connect. */
#ifndef KAIORETRY_CONNECT_WAIT_H
#define KAIORETRY_CONNECT_WAIT_H

#include <stdbool.h>
#include <sys/socket.h>

#include "../config/config.h"

/* True when fd is non-blocking (O_NONBLOCK). */
bool fd_nonblocking(int fd);

/* Waits for the outcome of a connect in progress on fd to addr: 0 when
 * it is connected, -1 with errno the reason it failed, in both cases
 * with the socket left as a connect returning that in the call leaves
 * it; or -1 with EINPROGRESS when a handler without SA_RESTART ran
 * first (the connect goes on and the program's own poll takes over, as
 * without us). */
int connect_outcome(int fd, const struct sockaddr *addr, socklen_t len,
		    unsigned signal_mark);

/* Connects a non-blocking fd whose last connect failed again, and waits
 * for the outcome as above. */
int connect_wait_again(int fd, const struct sockaddr *addr, socklen_t len,
		       unsigned signal_mark);

#endif
