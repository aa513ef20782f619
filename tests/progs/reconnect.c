/* reconnect: a daemon that reconnects often.  It connects to HOST:PORT
 * COUNT times, reading the greeting each time, with GAP_MS between
 * connections, and prints the outcome of each.
 *
 *   reconnect HOST PORT COUNT GAP_MS */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	if (argc != 5)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	inet_pton(AF_INET, argv[1], &a.sin_addr);
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	int count = atoi(argv[3]);
	long gap_ms = atol(argv[4]);
	struct timespec gap = { gap_ms / 1000, gap_ms % 1000 * 1000000 };
	for (int i = 0; i < count; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
		char buf[16] = "";
		if (rc == 0 && read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = '\0';
		printf("connection %d rc=%d errno=%s %s", i + 1, rc,
		       rc ? strerrorname_np(errno) : "0", rc ? "\n" : buf);
		close(fd);
		nanosleep(&gap, NULL);
	}
	return 0;
}
