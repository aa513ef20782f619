/* ready_signal: a SIGALRM handler (no SA_RESTART) that fires while a
 * blocking connect is held by a readiness check of a server that
 * accepts and never answers.
 *
 *   ready_signal interrupt PORT  the handler sets a flag: the check
 *                                gives way and the connect goes ahead;
 *                                prints its result and the open fds
 *   ready_signal jump PORT       the handler siglongjmps out (as wget
 *                                times its connect); then a second
 *                                connect; prints both results and the
 *                                open fds, so a socket left behind by
 *                                the check that was jumped out of shows
 *
 * The alarm fires 300 ms in. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fdcount.h"

static volatile sig_atomic_t rang;
static sigjmp_buf back;
static int jump;

static void on_alarm(int sig)
{
	(void)sig;
	rang = 1;
	if (jump)
		siglongjmp(back, 1);
}

static int try_connect(const struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	return connect(fd, (const struct sockaddr *)a, sizeof(*a));
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	jump = strcmp(argv[1], "jump") == 0;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)atoi(argv[2])) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval in_300ms = { .it_value = { 0, 300000 } };
	int before = open_fds();
	setitimer(ITIMER_REAL, &in_300ms, NULL);
	if (jump && sigsetjmp(back, 1)) {
		printf("jumped\n");
		jump = 0;
	} else {
		int r = try_connect(&a);
		printf("connect %d\n", r);
	}
	while (!rang)
		pause();
	if (!strcmp(argv[1], "jump")) {
		int r = try_connect(&a);
		printf("connect again %d\n", r);
	}
	/* The program's own sockets: one, or two after a second connect. */
	printf("sockets left open %d\n", open_fds() - before);
	return 0;
}
