/* stamp.c: a preload library that timestamps every real connect().
 *
 * Loaded after kaioretry (LD_PRELOAD="libkaioretry.so stamp.so"),
 * kaioretry's dlsym(RTLD_NEXT, "connect") finds this connect, so each
 * try of a retry series is seen here on its way to libc.  The gaps
 * between one try's end and the next one's start are the sleeps as they
 * really were; bench's `retry` prints them through stamp_report(). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_TRIES 64

static struct timespec started[MAX_TRIES], ended[MAX_TRIES];
static int count;

static double ms(const struct timespec *t)
{
	return (double)t->tv_sec * 1e3 + (double)t->tv_nsec / 1e6;
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	static int (*real)(int, const struct sockaddr *, socklen_t);
	if (!real)
		real = (int (*)(int, const struct sockaddr *, socklen_t))
			dlsym(RTLD_NEXT, "connect");
	int i = count < MAX_TRIES ? count++ : MAX_TRIES - 1;
	clock_gettime(CLOCK_MONOTONIC, &started[i]);
	int rc = real(fd, addr, len);
	int saved = errno;
	clock_gettime(CLOCK_MONOTONIC, &ended[i]);
	errno = saved;
	return rc;
}

void stamp_report(void);

void stamp_report(void)
{
	printf("tries %d\n", count);
	for (int i = 1; i < count; i++)
		printf("gap_ms %.3f\n", ms(&started[i]) - ms(&ended[i - 1]));
	fflush(stdout);
}
