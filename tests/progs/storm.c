/* storm: a retry storm from one process.  THREADS threads each make
 * CALLS blocking TCP connects to HOST:PORT (which refuses), one after
 * the other, and the program prints how many failed.
 *
 *   storm THREADS CALLS HOST PORT */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in target = { .sin_family = AF_INET };
static int calls;

static void *client(void *arg)
{
	long failed = 0;
	(void)arg;
	for (int i = 0; i < calls; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		failed += connect(fd, (struct sockaddr *)&target,
				  sizeof(target)) != 0;
		close(fd);
	}
	return (void *)failed;
}

int main(int argc, char **argv)
{
	pthread_t t[64];
	long failed = 0;
	if (argc != 5)
		return 2;
	int threads = atoi(argv[1]);
	if (threads < 1 || threads > 64)
		return 2;
	calls = atoi(argv[2]);
	inet_pton(AF_INET, argv[3], &target.sin_addr);
	target.sin_port = htons((unsigned short)atoi(argv[4]));
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, client, NULL);
	for (int i = 0; i < threads; i++) {
		void *r;
		pthread_join(t[i], &r);
		failed += (long)r;
	}
	printf("calls=%d failed=%ld\n", threads * calls, failed);
	return 0;
}
