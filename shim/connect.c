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

#include "connect_timeout.h"
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

/* attempt_timeout, shortened to what is left before the deadline. */
static double attempt_limit(const struct series *s)
{
	const struct policy *p = s->policy;
	double limit = p->attempt_timeout;
	if (p->deadline != SECONDS_UNSET) {
		double left = p->deadline - series_elapsed(s);
		if (left < 0.001)
			left = 0.001;
		if (limit == SECONDS_UNSET || left < limit)
			limit = left;
	}
	return limit;
}

int connect_again(struct series *s, int fd, const struct sockaddr *addr,
		  socklen_t len)
{
	if (s->last_code == EINTR)
		return wait_for_connect(fd, addr, len);
	if (s->policy->attempt_timeout != SECONDS_UNSET)
		return connect_timed(fd, addr, len, attempt_limit(s));
	return attempt.connect(fd, addr, len);
}
