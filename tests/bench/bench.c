/* bench.c: the workloads scripts/bench times and counts.
 *
 * One process runs one workload and prints one number; the driver
 * chooses what is preloaded (nothing, kaioretry, libfiu) through the
 * environment, so the three run the very same binary.  Set-up and a
 * fixed warm-up do not depend on N, so the driver can difference the
 * instruction counts of N and 2N calls.
 *
 *   bench run WORKLOAD N        ns per call over N calls (after warm-up),
 *                               the fastest of 10 slices of N/10
 *   bench pair WORKLOAD N       write or read: in one process, alternate
 *                               slices of calls through the program's own
 *                               binding (the preload's wrapper, if any)
 *                               and through libc's function itself;
 *                               prints the median of the slice ratios
 *   bench threads T N           T threads each write 1 byte N times to
 *                               /dev/null; prints calls per second
 *   bench spawn N VAR=VAL ...   posix_spawn /bin/true N times with exactly
 *                               that environment; prints each exec's ns
 *                               and the child's minor page faults and
 *                               CPU ns (user + system)
 *   bench retry PORT            one blocking connect to 127.0.0.1:PORT;
 *                               prints wall and CPU ms, and the gaps
 *                               between attempts when stamp.so is loaded
 *   bench sleep K MS            K plain clock_nanosleep()s of MS ms, as
 *                               the shim sleeps; prints each one's ms:
 *                               the machine's own timer accuracy
 *
 * WORKLOAD: write read sendrecv connect bind getaddrinfo gethostbyname
 *           gethostbyname_r res_query getpwnam getpwnam_r open open_creat
 *           openat creat fopen, and glibc's open64 openat64 creat64
 *           fopen64 __open_2 __openat_2 __open64_2 __openat64_2
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <resolv.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WARMUP 200
#define CHUNKS 10

static void die(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
	exit(2);
}

static double seconds(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct workload {
	const char *name;
	void (*setup)(void);
	void (*once)(void);
};

static int fd_a, fd_b;
static char byte = 'x';

static void open_null(void)
{
	if ((fd_a = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		die("/dev/null");
}

static void write_once(void)
{
	if (write(fd_a, &byte, 1) != 1)
		die("write");
}

static void open_zero(void)
{
	if ((fd_a = open("/dev/zero", O_RDONLY | O_CLOEXEC)) < 0)
		die("/dev/zero");
}

static void read_once(void)
{
	if (read(fd_a, &byte, 1) != 1)
		die("read");
}

static void open_pair(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		die("socketpair");
	fd_a = sv[0], fd_b = sv[1];
}

static void sendrecv_once(void)
{
	if (send(fd_a, &byte, 1, 0) != 1 || recv(fd_b, &byte, 1, 0) != 1)
		die("send/recv");
}

static struct sockaddr_in listener_addr;

static void open_listener(void)
{
	socklen_t len = sizeof(listener_addr);
	listener_addr.sin_family = AF_INET;
	listener_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd_a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd_a < 0 ||
	    bind(fd_a, (struct sockaddr *)&listener_addr, sizeof(listener_addr)) ||
	    listen(fd_a, 128) ||
	    getsockname(fd_a, (struct sockaddr *)&listener_addr, &len))
		die("listener");
}

/* The client closes with SO_LINGER 0 (a reset), so a long run leaves no
 * TIME_WAIT sockets to use up the machine's ephemeral ports. */
static void connect_once(void)
{
	static const struct linger reset = { .l_onoff = 1, .l_linger = 0 };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset)))
		die("socket");
	if (connect(s, (struct sockaddr *)&listener_addr, sizeof(listener_addr)))
		die("connect");
	int a = accept(fd_a, NULL, NULL);
	if (a < 0)
		die("accept");
	close(s);
	close(a);
}

static void nothing(void)
{
}

/* A fresh socket bound to a port of the kernel's choice, then closed:
 * bind's and close's wrappers count (socket is not wrapped). */
static void bind_once(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("bind");
	close(s);
}

/* The disk family on a memfd (shmem: fsync has nothing to write):
 * fsync, fdatasync, ftruncate, and close of a dup, four wrapped calls
 * (dup is not wrapped). */
static void open_memfd(void)
{
	if ((fd_a = memfd_create("bench", MFD_CLOEXEC)) < 0)
		die("memfd_create");
}

static void disk_once(void)
{
	int copy = dup(fd_a);
	if (fsync(fd_a) || fdatasync(fd_a) || ftruncate(fd_a, 1) || copy < 0 ||
	    close(copy))
		die("disk calls");
}

static void getaddrinfo_once(void)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	int rc = getaddrinfo("localhost", NULL, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "bench: getaddrinfo: %s\n", gai_strerror(rc));
		exit(2);
	}
	freeaddrinfo(res);
}

/* The old resolver, from /etc/hosts (what "localhost" is everywhere). */
static void gethostbyname_once(void)
{
	if (!gethostbyname("localhost"))
		die("gethostbyname");
}

static void gethostbyname_r_once(void)
{
	struct hostent he, *result;
	char buf[1024];
	int h_err;
	if (gethostbyname_r("localhost", &he, buf, sizeof(buf), &result,
			    &h_err) != 0 || !result)
		die("gethostbyname_r");
}

/* A DNS server in a thread answering every query with one A record,
 * through raw system calls: only res_query's wrapper is counted. */
static int dns_fd;

static void *dns_serve(void *unused)
{
	static const unsigned char record[] = {
		0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1
	};
	unsigned char m[512];
	(void)unused;
	for (;;) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		long n = syscall(SYS_recvfrom, dns_fd, m,
				 sizeof(m) - sizeof(record), 0, &from, &len);
		if (n < 12)
			continue;
		m[2] |= 0x80;		/* a response */
		m[3] = 0x80;		/* recursion available, no error */
		m[6] = 0, m[7] = 1;	/* one answer */
		m[10] = 0, m[11] = 0;
		memcpy(m + n, record, sizeof(record));
		syscall(SYS_sendto, dns_fd, m, n + (long)sizeof(record), 0,
			&from, len);
	}
	return NULL;
}

static void open_dns(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	pthread_t t;
	dns_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (dns_fd < 0 || bind(dns_fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(dns_fd, (struct sockaddr *)&a, &len))
		die("dns socket");
	if (res_init() != 0)
		die("res_init");
	_res.nscount = 1;
	_res.nsaddr_list[0] = a;
	if (pthread_create(&t, NULL, dns_serve, NULL) != 0)
		die("dns thread");
}

static void res_query_once(void)
{
	unsigned char answer[512];
	if (res_query("bench.example", ns_c_in, ns_t_a, answer,
		      sizeof(answer)) < 0)
		die("res_query");
}

/* NSS: root, from /etc/passwd. */
static void getpwnam_once(void)
{
	if (!getpwnam("root"))
		die("getpwnam");
}

/* /dev/null opened and closed by the system call, so that only the open
 * is wrapped.  open_creat
 * passes a mode, which the variadic wrapper reads; the fortify entry
 * points are what -D_FORTIFY_SOURCE builds call. */
#ifdef __GLIBC__
int __open_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
#endif

static void opened(int fd)
{
	if (fd < 0)
		die("open");
	syscall(SYS_close, fd);
}

static void fopened(FILE *f)
{
	if (!f)
		die("fopen");
	fclose(f);
}

static void open_once(void) { opened(open("/dev/null", O_RDONLY)); }
static void open_creat_once(void)
{
	opened(open("/dev/null", O_WRONLY | O_CREAT, 0644));
}
static void openat_once(void)
{
	opened(openat(AT_FDCWD, "/dev/null", O_RDONLY));
}
static void creat_once(void) { opened(creat("/dev/null", 0644)); }
static void fopen_once(void) { fopened(fopen("/dev/null", "r")); }
#ifdef __GLIBC__
static void open_2_once(void) { opened(__open_2("/dev/null", O_RDONLY)); }
static void openat_2_once(void)
{
	opened(__openat_2(AT_FDCWD, "/dev/null", O_RDONLY));
}
static void open64_once(void) { opened(open64("/dev/null", O_RDONLY)); }
static void openat64_once(void)
{
	opened(openat64(AT_FDCWD, "/dev/null", O_RDONLY));
}
static void creat64_once(void) { opened(creat64("/dev/null", 0644)); }
static void fopen64_once(void) { fopened(fopen64("/dev/null", "r")); }
static void open64_2_once(void) { opened(__open64_2("/dev/null", O_RDONLY)); }
static void openat64_2_once(void)
{
	opened(__openat64_2(AT_FDCWD, "/dev/null", O_RDONLY));
}
#endif

static void getpwnam_r_once(void)
{
	struct passwd pw, *result;
	char buf[1024];
	if (getpwnam_r("root", &pw, buf, sizeof(buf), &result) != 0 ||
	    !result)
		die("getpwnam_r");
}

static const struct workload workloads[] = {
	{ "write", open_null, write_once },
	{ "read", open_zero, read_once },
	{ "sendrecv", open_pair, sendrecv_once },
	{ "connect", open_listener, connect_once },
	{ "bind", nothing, bind_once },
	{ "disk", open_memfd, disk_once },
	{ "getaddrinfo", nothing, getaddrinfo_once },
	{ "gethostbyname", nothing, gethostbyname_once },
	{ "gethostbyname_r", nothing, gethostbyname_r_once },
	{ "res_query", open_dns, res_query_once },
	{ "getpwnam", nothing, getpwnam_once },
	{ "getpwnam_r", nothing, getpwnam_r_once },
	{ "open", nothing, open_once },
	{ "open_creat", nothing, open_creat_once },
	{ "openat", nothing, openat_once },
	{ "creat", nothing, creat_once },
	{ "fopen", nothing, fopen_once },
#ifdef __GLIBC__
	{ "__open_2", nothing, open_2_once },
	{ "__openat_2", nothing, openat_2_once },
	{ "open64", nothing, open64_once },
	{ "openat64", nothing, openat64_once },
	{ "creat64", nothing, creat64_once },
	{ "fopen64", nothing, fopen64_once },
	{ "__open64_2", nothing, open64_2_once },
	{ "__openat64_2", nothing, openat64_2_once },
#endif
};

static int run(const char *name, long n)
{
	const struct workload *w = NULL;
	for (size_t i = 0; i < sizeof(workloads) / sizeof(*workloads); i++)
		if (strcmp(workloads[i].name, name) == 0)
			w = &workloads[i];
	if (!w) {
		fprintf(stderr, "bench: unknown workload %s\n", name);
		return 2;
	}
	w->setup();
	for (int i = 0; i < WARMUP; i++)
		w->once();
	/* The least disturbed of CHUNKS slices: on a shared machine a slice
	 * that lost the CPU to another process says nothing about us. */
	double best = 0;
	long per_chunk = n / CHUNKS > 0 ? n / CHUNKS : 1;
	for (long done = 0; done < n; done += per_chunk) {
		long count = n - done < per_chunk ? n - done : per_chunk;
		double start = seconds(CLOCK_MONOTONIC);
		for (long i = 0; i < count; i++)
			w->once();
		double each = (seconds(CLOCK_MONOTONIC) - start) / (double)count;
		if (best == 0 || each < best)
			best = each;
	}
	printf("%.1f\n", best * 1e9);
	return 0;
}

/* The same call made past any preload: libc's own symbol. */
static ssize_t (*libc_write)(int, const void *, size_t);
static ssize_t (*libc_read)(int, void *, size_t);

static void *libc_symbol(const char *name)
{
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	void *fn = libc ? dlsym(libc, name) : NULL;
	if (!fn) {
		fprintf(stderr, "bench: no %s in libc.so.6\n", name);
		exit(2);
	}
	return fn;
}

static void write_direct(void)
{
	if (libc_write(fd_a, &byte, 1) != 1)
		die("write");
}

static void read_direct(void)
{
	if (libc_read(fd_a, &byte, 1) != 1)
		die("read");
}

static double slice(void (*once)(void), long count)
{
	double start = seconds(CLOCK_MONOTONIC);
	for (long i = 0; i < count; i++)
		once();
	return seconds(CLOCK_MONOTONIC) - start;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Machine noise moves both halves of a pair alike, so the ratio of
 * neighbouring slices is steady where whole runs, each with its own
 * address layout and neighbours, differ by several percent. */
#define PAIRS 200

static int pair(const char *name, long n)
{
	void (*bound)(void), (*direct)(void);
	if (strcmp(name, "write") == 0) {
		open_null();
		libc_write = (ssize_t (*)(int, const void *, size_t))libc_symbol("write");
		bound = write_once, direct = write_direct;
	} else if (strcmp(name, "read") == 0) {
		open_zero();
		libc_read = (ssize_t (*)(int, void *, size_t))libc_symbol("read");
		bound = read_once, direct = read_direct;
	} else {
		fprintf(stderr, "bench: pair: write or read, not %s\n", name);
		return 2;
	}
	long count = n / (2 * PAIRS) > 0 ? n / (2 * PAIRS) : 1;
	slice(bound, WARMUP);
	slice(direct, WARMUP);
	static double ratio[PAIRS];
	for (int i = 0; i < PAIRS; i++) {
		/* Alternate which goes first, so a drift favours neither. */
		double b, d;
		if (i & 1) {
			b = slice(bound, count);
			d = slice(direct, count);
		} else {
			d = slice(direct, count);
			b = slice(bound, count);
		}
		ratio[i] = b / d;
	}
	qsort(ratio, PAIRS, sizeof(double), by_value);
	printf("%.5f\n", (ratio[PAIRS / 2 - 1] + ratio[PAIRS / 2]) / 2);
	return 0;
}

static long per_thread;
static pthread_barrier_t go;

static void *writer(void *arg)
{
	(void)arg;
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die("/dev/null");
	for (int i = 0; i < WARMUP; i++)
		if (write(fd, &byte, 1) != 1)
			die("write");
	pthread_barrier_wait(&go);
	for (long i = 0; i < per_thread; i++)
		if (write(fd, &byte, 1) != 1)
			die("write");
	close(fd);
	return NULL;
}

static int threads(int count, long n)
{
	pthread_t t[64];
	if (count < 1 || count > 64)
		return 2;
	per_thread = n;
	pthread_barrier_init(&go, NULL, (unsigned)count + 1);
	for (int i = 0; i < count; i++)
		if (pthread_create(&t[i], NULL, writer, NULL))
			die("pthread_create");
	pthread_barrier_wait(&go);
	double start = seconds(CLOCK_MONOTONIC);
	for (int i = 0; i < count; i++)
		pthread_join(t[i], NULL);
	double took = seconds(CLOCK_MONOTONIC) - start;
	printf("%.0f\n", (double)count * (double)n / took);
	return 0;
}

/* The parent itself runs without any preload (the driver sees to it);
 * only the child gets the environment under test. */
static int spawn(long n, char **env)
{
	char *argv[] = { "/bin/true", NULL };
	for (long i = 0; i < n; i++) {
		pid_t pid;
		int status;
		struct rusage ru;
		double start = seconds(CLOCK_MONOTONIC);
		if (posix_spawn(&pid, argv[0], NULL, NULL, argv, env))
			die("posix_spawn");
		if (wait4(pid, &status, 0, &ru) != pid)
			die("wait4");
		double took = seconds(CLOCK_MONOTONIC) - start;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "bench: /bin/true failed: %d\n", status);
			return 2;
		}
		printf("%.0f %ld %.0f\n", took * 1e9, ru.ru_minflt,
		       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
			       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3);
	}
	return 0;
}

static int retry(int port)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket");
	double wall = seconds(CLOCK_MONOTONIC);
	double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID);
	int rc = connect(s, (struct sockaddr *)&to, sizeof(to));
	int err = errno;
	cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu;
	wall = seconds(CLOCK_MONOTONIC) - wall;
	printf("rc %d\nerrno %d\nwall_ms %.3f\ncpu_ms %.3f\n", rc, err,
	       wall * 1e3, cpu * 1e3);
	/* stamp.so, preloaded after kaioretry, saw each real attempt. */
	void (*report)(void) = (void (*)(void))dlsym(RTLD_DEFAULT,
						     "stamp_report");
	if (report) {
		fflush(stdout);
		report();
	}
	return 0;
}

static int plain_sleeps(int count, double ms)
{
	for (int i = 0; i < count; i++) {
		double start = seconds(CLOCK_MONOTONIC);
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)(ms * 1e6);
		while (until.tv_nsec >= 1000000000L)
			until.tv_sec++, until.tv_nsec -= 1000000000L;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until,
				       NULL) == EINTR)
			;
		printf("%.3f\n", (seconds(CLOCK_MONOTONIC) - start) * 1e3);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "run") == 0)
		return run(argv[2], atol(argv[3]));
	if (argc >= 4 && strcmp(argv[1], "pair") == 0)
		return pair(argv[2], atol(argv[3]));
	if (argc >= 4 && strcmp(argv[1], "threads") == 0)
		return threads(atoi(argv[2]), atol(argv[3]));
	if (argc >= 3 && strcmp(argv[1], "spawn") == 0)
		return spawn(atol(argv[2]), argv + 3);
	if (argc >= 4 && strcmp(argv[1], "sleep") == 0)
		return plain_sleeps(atoi(argv[2]), atof(argv[3]));
	if (argc >= 3 && strcmp(argv[1], "retry") == 0)
		return retry(atoi(argv[2]));
	fprintf(stderr, "usage: see the comment at the top of bench.c\n");
	return 2;
}
