/* ownlog: a program with its own syslog identity.  It calls
 * openlog("myprog", LOG_PID, LOG_LOCAL3) and logs one line, makes one
 * blocking TCP connect (which the shim may retry and log), then logs a
 * second line: both lines must keep the program's identity.
 *
 *   ownlog HOST PORT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	openlog("myprog", LOG_PID, LOG_LOCAL3);
	syslog(LOG_NOTICE, "before the connect");

	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &a.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
	int err = rc ? errno : 0;
	close(fd);

	syslog(LOG_ERR, "after the connect: %s", err ? strerrorname_np(err) : "0");
	closelog();
	printf("connect rc=%d errno=%s\n", rc, err ? strerrorname_np(err) : "0");
	return 0;
}
