/* connect_wait.c: driving a non-blocking connect to its outcome, for
 * `nonblocking = wait`.
 *
 * Clients such as curl, libpq, hiredis, nc and Python with a timeout
 * make a socket non-blocking only to put a timeout on connect: they
 * connect, get EINPROGRESS, poll for POLLOUT and read SO_ERROR.  In wait
 * mode the shim does that itself, inside the program's connect, and
 * retries a refused attempt on the same socket, so the program's bind(),
 * socket options and fd flags survive.  It returns 0 once connected
 * (every client measured takes a non-blocking connect that succeeds at
 * once, as AF_UNIX ones do), or -1 with the last real error, a valid
 * immediate failure of a non-blocking connect.
 *
 * A connect that fails in the call leaves the socket unconnected: the
 * next connect starts afresh.  One whose failure we read with SO_ERROR
 * does not: the next connect would answer ECONNABORTED once.  So each
 * failure we wait out is reset at once with connect(AF_UNSPEC), which
 * keeps an explicit bind, and the socket is left as the failed call the
 * program sees would leave it, after a retry and after the last one.
 * Likewise a connect that succeeds in the call marks the socket
 * connected, so the next connect answers EISCONN; one we waited out is
 * marked by asking connect once more, which answers 0 and sends nothing.
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

int connect_outcome(int fd, const struct sockaddr *addr, socklen_t len,
		    unsigned signal_mark)
{
	/* The waiting step attempt_timeout uses too, without a limit. */
	int rc = connect_await(fd, -1, signal_mark);
	if (rc == 0) {
		int saved = errno;
		libc.connect(fd, addr, len);	/* marks it connected */
		errno = saved;
	} else if (errno == EINTR) {
		errno = EINPROGRESS;	/* the program's own poll takes over */
	} else {
		connect_abort(fd);	/* the reset: see above */
	}
	return rc;
}

int connect_wait_again(int fd, const struct sockaddr *addr, socklen_t len,
		       unsigned signal_mark)
{
	int r = attempt.connect(fd, addr, len);
	if (r == -1 && errno == EINPROGRESS)
		return connect_outcome(fd, addr, len, signal_mark);
	return r;
}
