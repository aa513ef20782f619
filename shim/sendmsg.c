/* sendmsg.c: a sendmsg failure that can never work is not retried.
 *
 * ENOBUFS from a sendmsg that carries control data is, in practice, the
 * kernel refusing to allocate the control buffer from the socket's
 * option memory (net.core.optmem_max): the same message fails the same
 * way however long we wait, and a retry loop on it would only delay the
 * program's own handling (config/policy.c lists the decisions).
 *
 * The kernel copied the msghdr before it could fail with ENOBUFS, so
 * reading msg_controllen is safe after a real failure; after an injected
 * one the program's pointer was never checked, so it is not read. */
#include "sendmsg.h"

#include <errno.h>

#include "log.h"

bool sendmsg_begin(struct series *s, int code, int fd,
		   const struct msghdr *msg, int flags)
{
	if (code == ENOBUFS && !log_fault_injected("sendmsg") &&
	    msg->msg_controllen > 0)
		return false;
	return series_begin(s, FAMILY_SEND, "sendmsg", code, fd, flags, NULL,
			    0, NULL);
}
