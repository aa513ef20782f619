/* binder: binds as daemons do, for test_bind.py.  Prints what libc
 * returned and how long it took; exit 0 when bound, 1 when not.
 *
 *   binder listen ADDR PORT          bind ADDR:PORT (IPv4 or IPv6) and
 *                                    listen, as a daemon at start-up
 *   binder probe ADDR FIRST COUNT    bind FIRST, FIRST+1, ... until one
 *                                    is free, as vsftpd picks a passive
 *                                    port and sshd an X11 display */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A socket bound to addr:port, or -1 with errno. */
static int bound(const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		len = sizeof(*in);
	} else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		len = sizeof(*in6);
	} else {
		fprintf(stderr, "binder: bad address %s\n", addr);
		exit(2);
	}
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("socket");
		exit(2);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	double start = now();
	if (argc == 4 && strcmp(argv[1], "listen") == 0) {
		int fd = bound(argv[2], atoi(argv[3]));
		if (fd < 0 || listen(fd, 8) != 0) {
			printf("failed %s took %.3f\n", strerrorname_np(errno),
			       now() - start);
			return 1;
		}
		printf("bound took %.3f\n", now() - start);
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "probe") == 0) {
		int first = atoi(argv[3]), count = atoi(argv[4]);
		for (int port = first; port < first + count; port++) {
			int fd = bound(argv[2], port);
			if (fd >= 0) {
				printf("port %d after %d tries took %.3f\n",
				       port, port - first + 1, now() - start);
				return 0;
			}
			if (errno != EADDRINUSE) {
				printf("failed %s\n", strerrorname_np(errno));
				return 1;
			}
		}
		printf("no free port took %.3f\n", now() - start);
		return 1;
	}
	fprintf(stderr, "usage: binder listen ADDR PORT | "
		"binder probe ADDR FIRST COUNT\n");
	return 2;
}
