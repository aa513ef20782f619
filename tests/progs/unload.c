/* unload: dlopens a library, lets a thread resolve a name and connect
 * through it, dlcloses it while the thread still lives, then lets the
 * thread exit and the process fork and exit, for the "unloading is
 * safe" test (test_unload.py).  Run with libc.so.6 as the library it is
 * the program without us.
 *
 *   unload LIBRARY PORT    PORT: a loopback port that refuses
 */
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

typedef int gai_fn(const char *, const char *, const struct addrinfo *,
		   struct addrinfo **);
typedef void fai_fn(struct addrinfo *);
typedef int connect_fn(int, const struct sockaddr *, socklen_t);

static gai_fn *gai;
static fai_fn *fai;
static connect_fn *connect_via;
static const char *port;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int stage;	/* 1: the thread is done with the library; 2: closed */

static void set_stage(int s)
{
	pthread_mutex_lock(&lock);
	stage = s;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
}

static void wait_stage(int s)
{
	pthread_mutex_lock(&lock);
	while (stage < s)
		pthread_cond_wait(&changed, &lock);
	pthread_mutex_unlock(&lock);
}

static void *use_library(void *unused)
{
	(void)unused;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	int rc = gai("127.0.0.1", port, &hints, &res);
	printf("getaddrinfo rc=%d\n", rc);
	if (rc == 0) {
		int fd = socket(res->ai_family, SOCK_STREAM, 0);
		int c = connect_via(fd, res->ai_addr, res->ai_addrlen);
		printf("connect rc=%d errno=%s\n", c, c ? strerrorname_np(errno) : "0");
		close(fd);
		fai(res);
	}
	set_stage(1);
	wait_stage(2);		/* exits after the library was closed */
	return NULL;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3) {
		fprintf(stderr, "unload: bad arguments\n");
		return 2;
	}
	port = argv[2];
	void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "unload: %s\n", dlerror());
		return 2;
	}
	gai = (gai_fn *)dlsym(lib, "getaddrinfo");
	fai = (fai_fn *)dlsym(lib, "freeaddrinfo");
	connect_via = (connect_fn *)dlsym(lib, "connect");
	if (!gai || !fai || !connect_via) {
		fprintf(stderr, "unload: missing symbols\n");
		return 2;
	}
	pthread_t t;
	pthread_create(&t, NULL, use_library, NULL);
	wait_stage(1);
	printf("dlclose rc=%d\n", dlclose(lib));
	set_stage(2);
	pthread_join(t, NULL);
	printf("thread exited\n");
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	int status = -1;
	waitpid(child, &status, 0);
	printf("fork child status=%d\n", status);
	return 0;
}
