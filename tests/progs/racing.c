/* racing: CPython's test_sock_client_connect_racing in C.  A non-blocking
 * socket connects to a port that is bound but not listening, the way an
 * event loop does when its connect task is cancelled: it calls connect
 * again until connect answers something other than "in progress",
 * without reading SO_ERROR.  Then the port listens and the same socket
 * connects again the same way.  Prints what each round settled on; with
 * and without the shim they must be the same.
 *
 *   racing */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *settle(int fd, const struct sockaddr_in *a)
{
	for (int i = 0; i < 100; i++) {
		if (connect(fd, (const struct sockaddr *)a, sizeof(*a)) == 0)
			return "connected";
		if (errno == EISCONN)
			return "connected (EISCONN)";
		if (errno != EINPROGRESS && errno != EALREADY)
			return strerrorname_np(errno);
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		poll(&p, 1, 1000);	/* writable or failed: ask connect */
	}
	return "still in progress";
}

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	int listener = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(listener, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(listener, (struct sockaddr *)&a, &alen) != 0)
		return 2;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	printf("not listening: %s\n", settle(fd, &a));
	listen(listener, 8);
	printf("listening: %s\n", settle(fd, &a));
	printf("listening again: %s\n", settle(fd, &a));
	return 0;
}
