/* connect.c: how a failed connect starts a series and calls again.
 *
 * Before a series starts: an address of a recent getaddrinfo result
 * that is not its last is not retried, so a program walking the list
 * moves on at once (addrlist.c).  The address is read through a copy
 * (progmem.h): the call may have failed because it is not readable.  A non-blocking socket passes
 * through unless the policy says `nonblocking = wait` (connect_wait.c).
 *
 * After a refused or timed-out attempt, Linux lets the same socket
 * connect again, so the program's bind() and socket options survive.
 * But a blocking connect cut short by a signal (EINTR) is still
 * connecting in the kernel: calling connect again would fail with
 * EALREADY, so we wait for the outcome instead (poll, then SO_ERROR). */
#include "connect.h"

#include <errno.h>
#include <poll.h>

#include "addrlist.h"
#include "connect_timeout.h"
#include "connect_wait.h"
#include "guard.h"
#include "monotonic.h"
#include "progmem.h"
#include "ready.h"
#include "real.h"
#include "runtime.h"
#include "signals.h"

/* The connect policy when it asks to wait on non-blocking sockets and
 * may retry at all; NULL otherwise. */
static const struct policy *wait_policy(const struct sockaddr *addr,
					socklen_t len)
{
	if (guard_held())
		return NULL;
	const struct config *cfg = runtime_config();
	if (!cfg || cfg->pass_through)
		return NULL;
	const struct policy *p = config_policy_for(cfg, FAMILY_CONNECT, addr,
						   len, NULL);
	if (!p->enabled || p->tries == 1 || p->nonblocking != NONBLOCKING_WAIT)
		return NULL;
	return p;
}

bool connect_begin(struct series *s, int fd,
		   const struct sockaddr *program_addr, socklen_t len)
{
	int code = errno;
	struct sockaddr_storage copy;
	const struct sockaddr *addr = progmem_sockaddr(&copy, program_addr, &len);
	if (addrlist_has_more_after(addr, len)) {
		errno = code;
		return false;
	}
	if (!wait_policy(addr, len) || !fd_nonblocking(fd)) {
		errno = code;
		return series_begin(s, FAMILY_CONNECT, "connect", code, fd, 0,
				    addr, len, NULL);
	}
	if (code == EINPROGRESS) {
		/* Connected, or left to the program: either way libc's
		 * answer, EINPROGRESS, is the program's. */
		if (connect_outcome(fd, signals_mark()) == 0 ||
		    errno == EINPROGRESS) {
			errno = EINPROGRESS;
			return false;
		}
		code = errno;
	}
	/* fd -1: this series may sleep although the socket does not block. */
	return series_begin(s, FAMILY_CONNECT, "connect", code, -1, 0, addr,
			    len, NULL);
}

static int wait_for_connect(int fd, const struct sockaddr *addr,
			    socklen_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, -1) < 0 || connect_result(fd) < 0)
		return -1;
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
		double left = p->deadline - monotonic_since(&s->started);
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
	if (ready_held_back(fd, addr, len, attempt_limit(s)))
		return -1;	/* not ready: ECONNREFUSED, noted */
	if (fd_nonblocking(fd))	/* only in wait mode */
		return connect_wait_again(fd, addr, len, s->signal_mark,
					  &s->in_progress);
	if (s->policy->attempt_timeout != SECONDS_UNSET)
		return connect_timed(fd, addr, len, attempt_limit(s));
	return attempt.connect(fd, addr, len);
}

int connect_end(const struct series *s, int result)
{
	if (ready_gave_up(&result, s->target.addr, s->target.len))
		return result;	/* the program's own connect, made now */
	if (result == 0 && s->in_progress) {
		errno = EINPROGRESS;
		return -1;
	}
	return result;
}
