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

#include "real.h"
#include "signals.h"

bool fd_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl != -1 && (fl & O_NONBLOCK);
}

int connect_outcome(int fd, unsigned signal_mark)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	for (;;) {
		int n = poll(&p, 1, -1);
		if (n > 0)
			break;
		if (n < 0 && errno != EINTR)
			return -1;
		if (signals_since(signal_mark)) {
			errno = EINPROGRESS;
			return -1;
		}
	}
	int err = 0;
	socklen_t err_len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) < 0)
		return -1;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

static void reset(int fd, const struct sockaddr *addr)
{
	if (!addr || (addr->sa_family != AF_INET && addr->sa_family != AF_INET6))
		return;
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	int saved = errno;
	libc.connect(fd, &unspec, sizeof(unspec));
	errno = saved;
}

int connect_wait_again(int fd, const struct sockaddr *addr, socklen_t len,
		       unsigned signal_mark)
{
	reset(fd, addr);
	int r = attempt.connect(fd, addr, len);
	if (r == -1 && errno == EINPROGRESS)
		return connect_outcome(fd, signal_mark);
	return r;
}
