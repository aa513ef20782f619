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
 * Linux lets a TCP socket whose non-blocking connect failed connect
 * again, after a reset: the next connect answers ECONNABORTED once, or
 * connect(AF_UNSPEC) disconnects it cleanly (keeping an explicit bind),
 * which is what we do.  An AF_UNIX connect fails at once (ENOENT,
 * ECONNREFUSED, EAGAIN) and leaves the socket unconnected: no reset. */
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
	if (rc == -1 && errno == EINTR)
		errno = EINPROGRESS;	/* the program's own poll takes over */
	return rc;
}

int connect_wait_again(int fd, const struct sockaddr *addr, socklen_t len,
		       unsigned signal_mark)
{
	sa_family_t family = AF_UNSPEC;
	if (addr && len >= sizeof(family) &&
	    progmem_copy(&family, &addr->sa_family, sizeof(family)) &&
	    (family == AF_INET || family == AF_INET6))
		connect_abort(fd);	/* the reset: see above */
	int r = attempt.connect(fd, addr, len);
	if (r == -1 && errno == EINPROGRESS)
		return connect_outcome(fd, signal_mark);
	return r;
}
