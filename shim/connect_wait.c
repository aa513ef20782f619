/* connect_wait.c: driving a non-blocking connect to its outcome, for
 * `nonblocking = wait`.
 *
 * Clients such as curl, libpq, hiredis, nc and Python with a timeout
 * make a socket non-blocking only to put a timeout on connect: they
 * connect, get EINPROGRESS, poll for POLLOUT and read SO_ERROR.  In wait
 * mode the shim does that itself, inside the program's connect, and
 * retries a refused attempt on the same socket, so the program's bind(),
 * socket options and fd flags survive.  Once connected the program gets
 * libc's answer to the last try (EINPROGRESS, connect.c's connect_end),
 * or -1 with the last real error, a valid immediate failure of a
 * non-blocking connect.
 *
 * A connect that fails in the call leaves the socket unconnected: the
 * next connect starts afresh.  One whose failure we read with SO_ERROR
 * does not: the next connect would answer ECONNABORTED once.  So each
 * failure we wait out is reset at once with connect(AF_UNSPEC), which
 * keeps an explicit bind, and the socket is left as the failed call the
 * program sees would leave it, after a retry and after the last one.
 * A connect we waited out to success is reported as libc reported it,
 * -1 with EINPROGRESS: the socket is connected, so the program's own
 * poll finds it writable at once and SO_ERROR reads 0, and it stays in
 * the state the program's next connect expects (0, then EISCONN).
 * An AF_UNIX connect fails at once (ENOENT, ECONNREFUSED, EAGAIN) and
 * never waits here. */
#include "connect_wait.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>

#include "connect_timeout.h"
#include "progmem.h"
#include "real.h"
#include "signals.h"

bool fd_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl != -1 && (fl & O_NONBLOCK);
}

int connect_outcome(int fd, unsigned signal_mark)
{
	/* The waiting step attempt_timeout uses too, without a limit. */
	int rc = connect_await(fd, -1, signal_mark);
	if (rc == 0)
		return 0;
	if (errno == EINTR)
		errno = EINPROGRESS;	/* the program's own poll takes over */
	else
		connect_abort(fd);	/* the reset: see above */
	return -1;
}

int connect_wait_again(int fd, const struct sockaddr *addr, socklen_t len,
		       unsigned signal_mark, bool *in_progress)
{
	int r = attempt.connect(fd, addr, len);
	*in_progress = r == -1 && errno == EINPROGRESS;
	if (*in_progress)
		return connect_outcome(fd, signal_mark);
	return r;
}
