/* altstack: a failing connect made by a signal handler that runs on an
 * alternate signal stack (sigaltstack), as daemons do for SIGSEGV
 * reports or when their main stack is small.
 *
 *   altstack measure TARGET     the handler runs on a 64 KiB stack
 *                               painted with a pattern; prints how many
 *                               bytes of it were used (kernel frame
 *                               included), the deepest of 3 runs after
 *                               one outside the handler (which binds
 *                               the symbols, as a running program has)
 *   altstack small SIZE TARGET  the handler runs on a SIZE-byte stack
 *                               with an inaccessible page below it, so
 *                               an overflow is a SIGSEGV, not silent
 *
 * TARGET is a dead loopback port (the connect is refused) or a unix
 * socket path.  In measure mode a path is bound (never listened on)
 * 20 ms into the first measured run, so a retry series sees ENOENT turn
 * into ECONNREFUSED. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define PAINT 0xa5
#define MEASURED (64 * 1024)

static struct sockaddr_storage target;
static socklen_t target_len;
static int result, result_errno;

static void on_usr1(int sig)
{
	(void)sig;
	int saved = errno;
	int fd = socket(target.ss_family, SOCK_STREAM, 0);
	result = connect(fd, (struct sockaddr *)&target, target_len);
	result_errno = errno;
	close(fd);
	errno = saved;
}

static void run_on(void *stack, size_t size)
{
	stack_t ss = { .ss_sp = stack, .ss_size = size };
	if (sigaltstack(&ss, NULL) != 0) {
		perror("sigaltstack");
		exit(2);
	}
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_ONSTACK };
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
}

static size_t measure(void)
{
	static unsigned char stack[MEASURED] __attribute__((aligned(64)));
	memset(stack, PAINT, sizeof(stack));
	run_on(stack, sizeof(stack));
	size_t untouched = 0;
	while (untouched < sizeof(stack) && stack[untouched] == PAINT)
		untouched++;
	return sizeof(stack) - untouched;
}

static void *bind_later(void *arg)
{
	(void)arg;
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	nanosleep(&pause, NULL);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(fd, (struct sockaddr *)&target, target_len);
	return NULL;
}

static void set_target(const char *arg)
{
	if (arg[0] == '/') {
		struct sockaddr_un *un = (struct sockaddr_un *)&target;
		un->sun_family = AF_UNIX;
		snprintf(un->sun_path, sizeof(un->sun_path), "%s", arg);
		target_len = sizeof(*un);
		return;
	}
	struct sockaddr_in *in = (struct sockaddr_in *)&target;
	in->sin_family = AF_INET;
	in->sin_port = htons((unsigned short)atoi(arg));
	inet_pton(AF_INET, "127.0.0.1", &in->sin_addr);
	target_len = sizeof(*in);
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4)
		return 2;
	set_target(argv[argc - 1]);
	if (strcmp(argv[1], "measure") == 0) {
		on_usr1(0);
		pthread_t binder;
		if (target.ss_family == AF_UNIX)
			pthread_create(&binder, NULL, bind_later, NULL);
		size_t most = 0;
		for (int i = 0; i < 3; i++) {
			size_t used = measure();
			if (used > most)
				most = used;
		}
		printf("connect %d %s\nused %zu\n", result,
		       strerrorname_np(result_errno), most);
		return 0;
	}
	size_t size = (size_t)atol(argv[2]);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t span = page + (size + page - 1) / page * page;
	unsigned char *region = mmap(NULL, span, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED || mprotect(region, page, PROT_NONE) != 0)
		return 2;
	run_on(region + page, size);
	printf("connect %d %s\n", result, strerrorname_np(result_errno));
	return 0;
}
