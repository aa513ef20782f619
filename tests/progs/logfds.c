/* logfds: connects to a dead loopback port COUNT times, each on a fresh
 * socket, then prints what it saw and how many fds it holds.  Under the
 * shim every refused connect is a logged retry series, so a test that
 * renames the log file meanwhile sees whether any record left an fd
 * behind: raw and preloaded must print the same count.
 *
 *   logfds PORT COUNT */
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
	if (argc != 3)
		return 2;
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	int count = atoi(argv[2]), refused = 0;
	for (int i = 0; i < count; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == -1 &&
		    errno == ECONNREFUSED)
			refused++;
		close(fd);
	}
	printf("refused %d of %d\nfds %d\n", refused, count, open_fds());
	return 0;
}
