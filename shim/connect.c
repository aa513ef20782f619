/* connect.c: how a retried connect calls again.
 *
 * After a refused or timed-out attempt, Linux lets the same socket
 * connect again, so the program's bind() and socket options survive.
 * But a blocking connect cut short by a signal (EINTR) is still
 * connecting in the kernel: calling connect again would fail with
 * EALREADY, so we wait for the outcome instead (poll, then SO_ERROR). */
#include "connect.h"

#include <errno.h>
#include <poll.h>

#include "real.h"

static int wait_for_connect(int fd, const struct sockaddr *addr,
			    socklen_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, -1) < 0)
		return -1;
	int err = 0;
	socklen_t err_len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) < 0)
		return -1;
	if (err) {
		errno = err;
		return -1;
	}
	struct sockaddr_storage peer;
	socklen_t peer_len = sizeof(peer);
	if (getpeername(fd, (struct sockaddr *)&peer, &peer_len) == 0)
		return 0;
	return attempt.connect(fd, addr, len);	/* it never started */
}

int connect_again(struct series *s, int fd, const struct sockaddr *addr,
		  socklen_t len)
{
	if (s->last_code == EINTR)
		return wait_for_connect(fd, addr, len);
	return attempt.connect(fd, addr, len);
}
