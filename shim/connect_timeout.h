/* connect_timeout.h: attempt_timeout, a bound on each connect attempt.
 *
 * A blocking TCP connect to a blackholed address sits in SYN_SENT for
 * about two minutes.  With attempt_timeout set, the shim makes the
 * attempt non-blocking, polls for its outcome for at most that long,
 * and returns ETIMEDOUT when it runs out, like the kernel would, only
 * sooner.  The program's fd flags are put back as soon as the connect
 * has started, before the wait, with signals blocked in between, so a
 * handler that jumps out of the wait finds them as they were.
 * connect_await is the shared waiting step (poll POLLOUT, SO_ERROR),
 * written so the non-blocking `wait` mode can use it unbounded. */
#ifndef KAIORETRY_CONNECT_TIMEOUT_H
#define KAIORETRY_CONNECT_TIMEOUT_H

#include <sys/socket.h>

#include "../config/config.h"

/* Waits for a connect in progress on fd, at most `seconds` (negative:
 * no limit): 0 once connected, -1 with errno: the connect's error,
 * ETIMEDOUT when the time ran out, EINTR when a handler without
 * SA_RESTART ran after `signal_mark` (the connect goes on, as after an
 * interrupted blocking connect). */
int connect_await(int fd, double seconds, unsigned signal_mark);

/* The outcome of a connect the socket reports done (POLLOUT): 0, or -1
 * with errno set to its SO_ERROR. */
int connect_result(int fd);

/* Drops a connect in progress or failed, keeping an explicit bind, so
 * that the next connect on this socket starts afresh.  Keeps errno. */
void connect_abort(int fd);

/* One connect attempt on a blocking inet socket, bounded by `seconds`.
 * A timed-out or failed attempt is aborted (connect AF_UNSPEC) so the
 * socket can connect again.  Other sockets, non-blocking ones and
 * AF_UNIX (whose connects never hang on the network) connect plainly. */
int connect_timed(int fd, const struct sockaddr *addr, socklen_t len,
		  double seconds);

/* The attempt bound for this target under `cfg`, or SECONDS_UNSET. */
double connect_attempt_limit(const struct config *cfg,
			     const struct sockaddr *addr, socklen_t len);

/* Installs the bounded connect as attempt.connect when some connect
 * policy sets attempt_timeout; without one, nothing changes. */
void connect_timeout_install(const struct config *cfg);

#endif
