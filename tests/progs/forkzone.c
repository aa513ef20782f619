/* forkzone.c: fork children of a multithreaded parent that install a
 * signal handler, and count the children that do not finish in time.
 *
 *   forkzone localtime [LIB]  threads in localtime_r (glibc's tz lock)
 *                             while the parent fork()s
 *   forkzone dlsym [LIB]      threads in dlsym (the loader's lock) while
 *                             the parent _Fork()s (which resets no lock)
 *   forkzone signal PORT      signal(), raise it, then a refused connect
 *
 * Each child installs a handler with sigaction (LIB's own, looked up
 * with dlsym, when given: an AT_SECURE program that dlopens the library)
 * and exits.  Children are forked in batches, and a batch's children
 * that have not exited 2 s after it was forked are killed and counted.
 * Prints "children N hung H". */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHILDREN 200
#define BATCH 20
#define THREADS 3
#define BOUND_NS 2000000000LL

pid_t _Fork(void);

typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);
static sigaction_fn install = sigaction;
static atomic_bool stopping;

static void on_signal(int sig)
{
	(void)sig;
}

static void *in_localtime(void *arg)
{
	(void)arg;
	while (!atomic_load(&stopping)) {
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm);
	}
	return NULL;
}

static void *in_dlsym(void *arg)
{
	(void)arg;
	while (!atomic_load(&stopping))
		dlsym(RTLD_DEFAULT, "forkzone_no_such_symbol");
	return NULL;
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void child(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	_exit(install(SIGUSR1, &sa, NULL) == 0 ? 0 : 3);
}

/* Waits for the batch until the bound; kills and counts the rest. */
static int reap(pid_t *pids, int n, long long forked, int *failed)
{
	int left = n, hung = 0;
	while (left > 0 && now_ns() - forked < BOUND_NS) {
		for (int i = 0; i < n; i++) {
			int status;
			if (pids[i] > 0 && waitpid(pids[i], &status, WNOHANG) == pids[i]) {
				if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
					++*failed;
				pids[i] = 0;
				left--;
			}
		}
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	for (int i = 0; i < n; i++)
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
			hung++;
		}
	return hung;
}

static int forks(bool raw_fork, void *(*busy)(void *))
{
	pthread_t threads[THREADS];
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&threads[i], NULL, busy, NULL) != 0)
			return 2;
	nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	int hung = 0, failed = 0, made = 0;
	for (int b = 0; b < CHILDREN / BATCH; b++) {
		pid_t pids[BATCH];
		long long forked = now_ns();
		for (int i = 0; i < BATCH; i++) {
			pids[i] = raw_fork ? _Fork() : fork();
			if (pids[i] == 0)
				child();
			made += pids[i] > 0;
			nanosleep(&(struct timespec){ 0, 200000 }, NULL);
		}
		hung += reap(pids, BATCH, forked, &failed);
	}
	atomic_store(&stopping, true);
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	printf("children %d hung %d failed %d\n", made, hung, failed);
	return 0;
}

static int signal_then_connect(int port)
{
	if (signal(SIGUSR1, on_signal) == SIG_ERR || raise(SIGUSR1) != 0)
		return 2;
	printf("handled\n");
	fflush(stdout);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons((unsigned short)port) };
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	int rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	printf("connect %d %s\n", rc, rc ? strerror(errno) : "ok");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "signal") == 0)
		return argc == 3 ? signal_then_connect(atoi(argv[2])) : 2;
	if (argc == 3) {
		void *lib = dlopen(argv[2], RTLD_NOW);
		if (!lib || !(install = (sigaction_fn)dlsym(lib, "sigaction"))) {
			fprintf(stderr, "dlopen: %s\n", dlerror());
			return 2;
		}
	}
	if (strcmp(argv[1], "localtime") == 0)
		return forks(false, in_localtime);
	if (strcmp(argv[1], "dlsym") == 0)
		return forks(true, in_dlsym);
	return 2;
}
