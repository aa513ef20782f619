/* gailist: getaddrinfo lists used and freed in the orders real programs
 * use, for the address-list fallthrough tests (test_addrlist.py).  Each
 * connect prints what libc returned and how long it took.
 *
 *   gailist copyfree NAME PORT     copy the addresses, freeaddrinfo, then
 *                                  connect to each copy (Python's order)
 *   gailist otherfree NAME PORT    another thread frees the list; then
 *                                  connect to a copy of each address
 *   gailist olderfree NAME PORT    resolve twice, free the older list,
 *                                  walk the newer one while it is live
 *   gailist race NAME PORT N       N rounds: another thread frees the
 *                                  list while this one connects to a
 *                                  copy of its first address
 *   gailist threads NAME N         N threads one after another, each
 *                                  resolves, frees and exits; prints
 *                                  the heap in use before and after
 *   gailist chainfree NAME PORT    resolve twice, chain the second list
 *                                  to the first, free both with one
 *                                  freeaddrinfo, reuse the heap; then
 *                                  connect to a copy of each address
 *   gailist crossthread NAME PORT  another thread resolves, copies and
 *                                  frees; this one connects to each copy
 */
#include <errno.h>
#include <malloc.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_ADDRS 16

struct copy {
	struct sockaddr_storage addr;
	socklen_t len;
	int family;
};

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct addrinfo *resolve(const char *name, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	int rc = getaddrinfo(name, port, &hints, &res);
	if (rc) {
		printf("gai rc=%d\n", rc);
		exit(1);
	}
	return res;
}

static int copy_all(const struct addrinfo *list, struct copy *out)
{
	int n = 0;
	for (const struct addrinfo *ai = list; ai && n < MAX_ADDRS; ai = ai->ai_next, n++) {
		memcpy(&out[n].addr, ai->ai_addr, ai->ai_addrlen);
		out[n].len = ai->ai_addrlen;
		out[n].family = ai->ai_family;
	}
	return n;
}

/* Connects to one address on a new socket; 0 when connected. */
static int try_connect(int family, const struct sockaddr *addr, socklen_t len)
{
	char host[64];
	getnameinfo(addr, len, host, sizeof(host), NULL, 0, NI_NUMERICHOST);
	int fd = socket(family, SOCK_STREAM, 0);
	double t0 = now();
	int rc = connect(fd, addr, len);
	int err = rc ? errno : 0;
	printf("connect %s rc=%d errno=%s elapsed=%.3f\n", host, rc,
	       err ? strerrorname_np(err) : "0", now() - t0);
	close(fd);
	return rc;
}

static int connect_copies(const struct copy *c, int n)
{
	for (int i = 0; i < n; i++)
		if (try_connect(c[i].family, (const struct sockaddr *)&c[i].addr,
				c[i].len) == 0)
			return 0;
	return 1;
}

static int copyfree(const char *name, const char *port)
{
	struct copy c[MAX_ADDRS];
	struct addrinfo *res = resolve(name, port);
	int n = copy_all(res, c);
	freeaddrinfo(res);
	return connect_copies(c, n);
}

static void *free_list(void *list)
{
	freeaddrinfo(list);
	return NULL;
}

static int otherfree(const char *name, const char *port)
{
	struct copy c[MAX_ADDRS];
	struct addrinfo *res = resolve(name, port);
	int n = copy_all(res, c);
	pthread_t t;
	pthread_create(&t, NULL, free_list, res);
	pthread_join(t, NULL);
	printf("freed by another thread\n");
	return connect_copies(c, n);
}

static int olderfree(const char *name, const char *port)
{
	struct addrinfo *older = resolve(name, port);
	struct addrinfo *newer = resolve(name, port);
	freeaddrinfo(older);
	int rc = 1;
	for (struct addrinfo *ai = newer; ai && rc; ai = ai->ai_next)
		rc = try_connect(ai->ai_family, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(newer);
	return rc;
}

struct handoff {
	struct addrinfo *list;
	unsigned spin;
};

static void *free_after_spin(void *arg)
{
	struct handoff *h = arg;
	for (volatile unsigned i = 0; i < h->spin; i++)
		;
	freeaddrinfo(h->list);
	return NULL;
}

static int race(const char *name, const char *port, long rounds)
{
	unsigned seed = 1;
	long refused = 0;
	for (long r = 0; r < rounds; r++) {
		struct copy c[MAX_ADDRS];
		struct handoff h = { resolve(name, port), (unsigned)(rand_r(&seed) % 20000) };
		copy_all(h.list, c);
		pthread_t t;
		pthread_create(&t, NULL, free_after_spin, &h);
		int fd = socket(c[0].family, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&c[0].addr, c[0].len) != 0 &&
		    errno == ECONNREFUSED)
			refused++;
		close(fd);
		pthread_join(t, NULL);
	}
	printf("rounds=%ld refused=%ld\n", rounds, refused);
	return 0;
}

static int chainfree(const char *name, const char *port)
{
	struct copy c[MAX_ADDRS];
	struct addrinfo *first = resolve(name, port);
	struct addrinfo *second = resolve(name, port);
	int n = copy_all(second, c);
	struct addrinfo *tail = first;
	while (tail->ai_next)
		tail = tail->ai_next;
	tail->ai_next = second;
	freeaddrinfo(first);	/* frees both */
	/* The heap reused: what the lists held is now other data. */
	for (int i = 0; i < 256; i++)
		memset(malloc(16 + (size_t)i % 8 * 16), 0xa5, 16 + (size_t)i % 8 * 16);
	printf("chained and freed\n");
	return connect_copies(c, n);
}

struct resolved {
	const char *name, *port;
	struct copy c[MAX_ADDRS];
	int n;
};

static void *resolve_copy_free(void *arg)
{
	struct resolved *r = arg;
	struct addrinfo *res = resolve(r->name, r->port);
	r->n = copy_all(res, r->c);
	freeaddrinfo(res);
	return NULL;
}

static int crossthread(const char *name, const char *port)
{
	struct resolved r = { .name = name, .port = port };
	pthread_t t;
	pthread_create(&t, NULL, resolve_copy_free, &r);
	pthread_join(t, NULL);
	printf("resolved by another thread\n");
	return connect_copies(r.c, r.n);
}

static const char *thread_name;

static void *resolve_and_exit(void *unused)
{
	(void)unused;
	freeaddrinfo(resolve(thread_name, NULL));
	return NULL;
}

static size_t heap_in_use(void)
{
	return mallinfo2().uordblks;
}

static void run_threads(long n)
{
	for (long i = 0; i < n; i++) {
		pthread_t t;
		pthread_create(&t, NULL, resolve_and_exit, NULL);
		pthread_join(t, NULL);
	}
}

static int threads(const char *name, long n)
{
	thread_name = name;
	run_threads(n);		/* NSS, thread stacks: warmed up */
	size_t before = heap_in_use();
	run_threads(n);
	printf("threads=%ld heap_before=%zu heap_after=%zu\n", n, before,
	       heap_in_use());
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "copyfree"))
		return copyfree(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "otherfree"))
		return otherfree(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "olderfree"))
		return olderfree(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "race"))
		return race(argv[2], argv[3], atol(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "chainfree"))
		return chainfree(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "crossthread"))
		return crossthread(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "threads"))
		return threads(argv[2], atol(argv[3]));
	fprintf(stderr, "gailist: bad arguments\n");
	return 2;
}
