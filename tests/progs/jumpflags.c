/* jumpflags: wget's way of timing out a connect, then a blocking read.
 *
 * A SIGALRM handler siglongjmps out of a blocking connect to HOST:PORT
 * (blackholed by the test, so the connect hangs).  Then the program
 * reads the same socket, still blocking, until a second alarm whose
 * handler only returns interrupts it.  Without the shim: the socket is
 * blocking and the read ends with EINTR.  A socket left O_NONBLOCK
 * would fail the read at once with EAGAIN.
 *
 *   jumpflags HOST PORT */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static sigjmp_buf timed_out;

static void jump(int sig)
{
	(void)sig;
	siglongjmp(timed_out, 1);
}

static void just_return(int sig)
{
	(void)sig;
}

static void alarm_in(void (*handler)(int), long ms)
{
	struct sigaction sa = { .sa_handler = handler };	/* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { .it_value = { ms / 1000, ms % 1000 * 1000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &a.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (sigsetjmp(timed_out, 1) == 0) {
		alarm_in(jump, 300);
		int rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
		printf("connect returned %d %s\n", rc,
		       rc ? strerrorname_np(errno) : "");
	} else {
		printf("connect timed out\n");
	}
	int fl = fcntl(fd, F_GETFL);
	printf("nonblocking %d\n", fl != -1 && (fl & O_NONBLOCK));
	alarm_in(just_return, 300);
	char c;
	ssize_t n = read(fd, &c, 1);
	printf("read %zd %s\n", n, n < 0 ? strerrorname_np(errno) : "");
	return 0;
}
