/* connect.h: how a failed connect starts its series, and calls again. */
#ifndef KAIORETRY_CONNECT_H
#define KAIORETRY_CONNECT_H

#include <stdbool.h>
#include <sys/socket.h>

#include "series.h"

/* series_begin for connect, errno holding the first failure.  Returns
 * false when no series runs; *result is then what the program gets
 * (changed only when a wait-mode connect settled). */
bool connect_begin(struct series *s, int *result, int fd,
		   const struct sockaddr *addr, socklen_t len);

int connect_again(struct series *s, int fd, const struct sockaddr *addr,
		  socklen_t len);

#endif
