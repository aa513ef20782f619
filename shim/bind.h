/* bind.h: how a failed bind starts a series (bind.c). */
#ifndef KAIORETRY_BIND_H
#define KAIORETRY_BIND_H

#include <stdbool.h>
#include <sys/socket.h>

#include "series.h"

/* series_begin for bind's first failure `code`, for an IPv4 or IPv6
 * address with a port other than 0 only. */
bool bind_begin(struct series *s, int code, int fd,
		const struct sockaddr *addr, socklen_t len);

#endif
