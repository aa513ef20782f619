/* sendmsg.h: how a failed sendmsg starts a series (sendmsg.c). */
#ifndef KAIORETRY_SENDMSG_H
#define KAIORETRY_SENDMSG_H

#include <stdbool.h>
#include <sys/socket.h>

#include "series.h"

/* series_begin for sendmsg's first failure `code` (errno still holds
 * it), except for failures that can never work. */
bool sendmsg_begin(struct series *s, int code, int fd,
		   const struct msghdr *msg, int flags);

#endif
