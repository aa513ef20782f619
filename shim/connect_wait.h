/* connect_wait.h: the `nonblocking = wait` mode of connect. */
#ifndef KAIORETRY_CONNECT_WAIT_H
#define KAIORETRY_CONNECT_WAIT_H

#include <stdbool.h>
#include <sys/socket.h>

#include "../config/config.h"

/* True when fd is non-blocking (O_NONBLOCK). */
bool fd_nonblocking(int fd);

/* Waits for the outcome of a connect in progress on fd: 0 when it is
 * connected (the socket as a completed non-blocking connect leaves it),
 * -1 with errno the reason it failed (the socket reset, as a connect
 * failing in the call leaves it); or -1 with EINPROGRESS when a handler
 * without SA_RESTART ran first (the connect goes on and the program's
 * own poll takes over, as without us). */
int connect_outcome(int fd, unsigned signal_mark);

/* Connects a non-blocking fd whose last connect failed again, and waits
 * for the outcome as above; *in_progress says whether libc answered
 * EINPROGRESS (then a success is reported to the program that way). */
int connect_wait_again(int fd, const struct sockaddr *addr, socklen_t len,
		       unsigned signal_mark, bool *in_progress);

#endif
