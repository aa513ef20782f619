/* ready_fds: what a program can see of its descriptors around one
 * blocking connect: the connect's result, the number the next socket
 * gets, and how many descriptors are open, before and after.  A
 * readiness check works on a socket of the shim's own, so run raw and
 * preloaded the output must be the same.
 *
 * Usage: ready_fds PORT    (connects to 127.0.0.1:PORT) */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fdcount.h"

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)atoi(argv[1])) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	int before = open_fds();
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	int err = errno;
	int next = socket(AF_INET, SOCK_STREAM, 0);
	printf("socket %d connect %d %s next %d open %d -> %d\n", fd, r,
	       r ? strerror(err) : "ok", next, before, open_fds());
	return 0;
}
