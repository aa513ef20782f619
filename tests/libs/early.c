/* early: a library whose constructor makes a failing connect, as a real
 * library's constructor might.  Preloaded after kaioretry
 * (LD_PRELOAD=kaioretry:early) it is initialised first, so the call
 * reaches kaioretry before kaioretry's constructor ran; the test checks
 * that order with LD_DEBUG=init.  Writes its result to stderr. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

__attribute__((constructor)) static void early_start(void)
{
	const char *port = getenv("EARLY_PORT");
	if (!port)
		return;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((unsigned short)atoi(port)) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
	int err = rc ? errno : 0;
	close(fd);
	char line[128];
	int n = snprintf(line, sizeof(line), "early constructor: connect rc=%d errno=%s\n",
			 rc, err ? strerrorname_np(err) : "0");
	write(2, line, (size_t)n);
}
