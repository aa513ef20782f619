/* gmtoff: prints what this program's own libc makes of the local zone
 * now (localtime_r's tm_gmtoff, seconds east), then connects once to
 * 127.0.0.1:PORT, so that a preloaded library logs a series whose time
 * stamps a test can hold against it.
 *
 *   gmtoff PORT */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	printf("gmtoff=%ld\n", (long)tm.tm_gmtoff);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	printf("connect rc=%d\n", rc);
	return 0;
}
