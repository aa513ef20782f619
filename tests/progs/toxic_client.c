/* toxic_client: a loopback client for the time and toxic injection
 * tests (at=, hang=, delay=A..B, limit=, rate=), reporting what each
 * call did and when.  Its output goes out with a raw write system call,
 * so it is never one of the counted calls.
 *
 *   toxic_client connects PORT N MS   N connects, one every MS ms from
 *                                     start: "START_MS TOOK_MS ERRNO"
 *                                     each (0 for success)
 *   toxic_client reads PORT BUF       one connect, then recv(BUF) until
 *                                     end or error: "got BYTES calls N
 *                                     end ERRNO" (0: end of stream)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static struct timespec t0;

static void say(const char *fmt, ...)
{
	char line[160];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	syscall(SYS_write, 1, line, (size_t)n);
}

static long ms_since(const struct timespec *a)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - a->tv_sec) * 1000 +
	       (now.tv_nsec - a->tv_nsec) / 1000000;
}

static int dial(int port, struct timespec *start)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	clock_gettime(CLOCK_MONOTONIC, start);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

static int connects(int port, int count, int every_ms)
{
	for (int i = 0; i < count; i++) {
		struct timespec start;
		int fd = dial(port, &start);
		int e = fd < 0 ? errno : 0;
		long took = ms_since(&start);
		say("%ld %ld %d\n", ms_since(&t0) - took, took, e);
		if (fd >= 0)
			close(fd);
		struct timespec next = t0;
		long at = (long)(i + 1) * every_ms;
		next.tv_sec += at / 1000;
		next.tv_nsec += (at % 1000) * 1000000;
		if (next.tv_nsec >= 1000000000)
			next.tv_sec++, next.tv_nsec -= 1000000000;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	return 0;
}

static int reads(int port, size_t size)
{
	struct timespec start;
	char *buf = malloc(size);
	long long got = 0;
	int calls = 0, fd = dial(port, &start);
	if (fd < 0 || !buf)
		return 1;
	for (;;) {
		ssize_t n = recv(fd, buf, size, 0);
		calls++;
		if (n <= 0) {
			say("got %lld calls %d end %d\n", got, calls,
			    n < 0 ? errno : 0);
			break;
		}
		got += n;
	}
	close(fd);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (argc == 5 && strcmp(argv[1], "connects") == 0)
		return connects(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && strcmp(argv[1], "reads") == 0)
		return reads(atoi(argv[2]), (size_t)atol(argv[3]));
	say("usage: toxic_client connects PORT N MS | reads PORT BUF\n");
	return 2;
}
