/* nbclient: a client that connects the way curl, libpq and Python with a
 * timeout do, for the wait-mode and fallthrough tests.  It prints what
 * libc returned at each step.
 *
 *   nbclient tcp HOST PORT [BINDPORT]   non-blocking TCP connect (numeric
 *                                       host), optionally bound first; then
 *                                       poll, SO_ERROR, read the greeting
 *   nbclient unix PATH                  non-blocking AF_UNIX connect
 *   nbclient walk NAME PORT             getaddrinfo, then a blocking
 *                                       connect to each address in turn,
 *                                       freeaddrinfo only at the end
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *err_name(int e)
{
	return e ? strerrorname_np(e) : "0";
}

/* After the connect: what the program's own event code would do. */
static int finish(int fd, int rc, int err, double t0)
{
	printf("connect rc=%d errno=%s elapsed=%.3f\n", rc, err_name(err),
	       now() - t0);
	if (rc != 0 && err != EINPROGRESS)
		return 1;
	if (rc != 0) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int n = poll(&p, 1, 10000);
		int so = 0;
		socklen_t l = sizeof(so);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &l);
		printf("poll=%d so_error=%s\n", n, err_name(so));
		if (n != 1 || so)
			return 1;
	}
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD), ka = 0;
	socklen_t l = sizeof(ka);
	getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &ka, &l);
	printf("nonblock=%d cloexec=%d keepalive=%d\n", !!(fl & O_NONBLOCK),
	       !!(fdfl & FD_CLOEXEC), ka);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[64] = "";
	if (poll(&p, 1, 10000) == 1) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		printf("read=%zd %s", n, n > 0 ? buf : "\n");
	}
	return 0;
}

static int nb_socket(int family)
{
	int fd = socket(family, SOCK_STREAM, 0);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	return fd;
}

static int tcp(const char *host, const char *port, const char *bind_port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_port = htons((unsigned short)atoi(port));
	inet_pton(AF_INET, host, &a.sin_addr);
	int fd = nb_socket(AF_INET);
	if (bind_port) {
		struct sockaddr_in b = a;
		b.sin_port = htons((unsigned short)atoi(bind_port));
		if (bind(fd, (struct sockaddr *)&b, sizeof(b)))
			perror("bind");
	}
	double t0 = now();
	int rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
	int err = rc ? errno : 0;
	int status = finish(fd, rc, err, t0);
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);
	if (status == 0 && getsockname(fd, (struct sockaddr *)&me, &ml) == 0)
		printf("local port=%d\n", ntohs(me.sin_port));
	return status;
}

static int unix_nb(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	int fd = nb_socket(AF_UNIX);
	double t0 = now();
	int rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
	return finish(fd, rc, rc ? errno : 0, t0);
}

static int walk(const char *name, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	int rc = getaddrinfo(name, port, &hints, &res);
	if (rc) {
		printf("gai rc=%d\n", rc);
		return 1;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		char host[64];
		getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host),
			    NULL, 0, NI_NUMERICHOST);
		int fd = socket(ai->ai_family, SOCK_STREAM, 0);
		double t0 = now();
		rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
		printf("connect %s rc=%d errno=%s elapsed=%.3f\n", host, rc,
		       err_name(rc ? errno : 0), now() - t0);
		close(fd);
		if (rc == 0)
			break;
	}
	freeaddrinfo(res);
	return rc != 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && !strcmp(argv[1], "tcp"))
		return tcp(argv[2], argv[3], argc > 4 ? argv[4] : NULL);
	if (argc == 3 && !strcmp(argv[1], "unix"))
		return unix_nb(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "walk"))
		return walk(argv[2], argv[3]);
	fprintf(stderr, "nbclient: bad arguments\n");
	return 2;
}
