/* connect.h: how a failed connect starts its series, and calls again. */
#ifndef KAIORETRY_CONNECT_H
#define KAIORETRY_CONNECT_H

#include <stdbool.h>
#include <sys/socket.h>

#include "series.h"

/* series_begin for connect, errno holding the first failure.  Returns
 * false when no series runs; the program then gets -1 and errno (a
 * wait-mode connect may have settled a first EINPROGRESS meanwhile). */
bool connect_begin(struct series *s, int fd,
		   const struct sockaddr *addr, socklen_t len);

int connect_again(struct series *s, int fd, const struct sockaddr *addr,
		  socklen_t len);

/* What the program gets once the series ended with `result`: a wait-mode
 * success whose last try libc answered with EINPROGRESS is reported as
 * that, -1 with EINPROGRESS, as libc reported it; a series whose last
 * try a readiness check held back makes the program's connect now and
 * returns what it returned (ready.h). */
int connect_end(const struct series *s, int result);

#endif
