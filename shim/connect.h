/* connect.h: calling connect again within a series. */
#ifndef KAIORETRY_CONNECT_H
#define KAIORETRY_CONNECT_H

#include <sys/socket.h>

#include "series.h"

int connect_again(struct series *s, int fd, const struct sockaddr *addr,
		  socklen_t len);

#endif
