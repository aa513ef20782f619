/* connect_every: a client that connects to 127.0.0.1:PORT every
 * GAP_MS until its stdin closes, printing its pid first and then one
 * line per connect: "SECONDS ok" or "SECONDS ERRNAME", in its own
 * clock (CLOCK_REALTIME), for the run-time control tests.
 *
 *   connect_every PORT GAP_MS */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	char buf[64];
	if (argc != 3)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	int gap_ms = atoi(argv[2]);
	printf("%d\n", (int)getpid());
	for (;;) {
		struct pollfd in = { .fd = 0, .events = POLLIN };
		if (poll(&in, 1, gap_ms) != 0 && read(0, buf, sizeof(buf)) <= 0)
			return 0;
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
		int err = errno;
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		printf("%lld.%06ld %s\n", (long long)now.tv_sec,
		       now.tv_nsec / 1000, rc ? strerrorname_np(err) : "ok");
		close(fd);
	}
}
