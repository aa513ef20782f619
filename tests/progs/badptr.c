/* badptr: calls wrapped functions with pointers the kernel cannot read,
 * and vectors it refuses, and prints what libc answered, for the
 * "a bad pointer gets EFAULT, never a crash" tests (test_badptr.py).
 * Raw and preloaded runs must print the same.
 *
 *   badptr connect PORT    connects a TCP socket with bad addresses
 *                          (NULL page, an unmapped page, a PROT_NONE
 *                          page, a page's last bytes), with and without
 *                          a getaddrinfo first, on good and bad fds;
 *                          then a good address on the refusing PORT
 *   badptr msg             sendmsg and recvmsg with bad msghdrs, and
 *                          good msghdrs that point at bad vectors
 *   badptr readv           readv and writev with 1025 vectors (above
 *                          IOV_MAX), and with a count that runs off a
 *                          mapped page
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static void report(const char *what, long rc)
{
	int e = errno;
	printf("%s rc=%ld errno=%s\n", what, rc, rc < 0 ? strerrorname_np(e) : "0");
}

/* A transfer that worked, whatever its length: a short= rule under
 * test may shorten it, which the program may see. */
static void outcome(const char *what, long rc)
{
	int e = errno;
	printf("%s %s\n", what, rc < 0 ? strerrorname_np(e) : "ok");
}

/* Two pages: the first readable, the second PROT_NONE. */
static char *edge_pages(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mprotect(p + page, (size_t)page, PROT_NONE)) {
		perror("mmap");
		exit(2);
	}
	memset(p, 0, (size_t)page);
	return p;
}

static char *unmapped_page(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, (size_t)page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	munmap(p, (size_t)page);
	return p;
}

static void connect_all(const struct sockaddr *addr, socklen_t len,
			const char *name)
{
	char what[128];
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	snprintf(what, sizeof(what), "connect %s len=%u", name, len);
	report(what, connect(fd, addr, len));
	close(fd);
	snprintf(what, sizeof(what), "connect %s len=%u on a closed fd", name, len);
	report(what, connect(fd, addr, len));
}

static int bad_connects(const char *port)
{
	long page = sysconf(_SC_PAGESIZE);
	char *edge = edge_pages();
	struct {
		const char *name;
		const void *addr;
	} bad[] = {
		{ "(void *)1", (void *)1 },
		{ "unmapped", unmapped_page() },
		{ "PROT_NONE", edge + page },
		{ "page end", edge + page - 4 },
	};
	for (int round = 0; round < 2; round++) {
		if (round == 1) {	/* fallthrough has a result to consult */
			struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
			int rc = getaddrinfo("127.0.0.1", port, &hints, &res);
			printf("getaddrinfo rc=%d\n", rc);
			if (rc == 0)
				freeaddrinfo(res);
		}
		for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
			connect_all(bad[i].addr, 16, bad[i].name);
			connect_all(bad[i].addr, 128, bad[i].name);
			connect_all(bad[i].addr, 0, bad[i].name);
		}
	}
	/* The page's last four bytes hold a real family: the kernel reads
	 * only what len says, and so must we. */
	struct sockaddr_in in = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)atoi(port)),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	memcpy(edge + page - 2, &in.sin_family, 2);
	connect_all((void *)(edge + page - 2), 2, "family at a page end");
	connect_all((struct sockaddr *)&in, sizeof(in), "refusing port");
	return 0;
}

static int bad_msgs(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *edge = edge_pages();
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		perror("socketpair");
		return 2;
	}
	const void *bad[] = { (void *)1, unmapped_page(), edge + page,
			      edge + page - 8 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char what[64];
		snprintf(what, sizeof(what), "sendmsg bad msghdr #%zu", i);
		report(what, sendmsg(sv[0], bad[i], MSG_DONTWAIT));
		snprintf(what, sizeof(what), "recvmsg bad msghdr #%zu", i);
		report(what, recvmsg(sv[1], (struct msghdr *)bad[i], MSG_DONTWAIT));
		struct msghdr m = { .msg_iov = (struct iovec *)bad[i], .msg_iovlen = 2 };
		snprintf(what, sizeof(what), "sendmsg bad iov #%zu", i);
		report(what, sendmsg(sv[0], &m, MSG_DONTWAIT));
		snprintf(what, sizeof(what), "recvmsg bad iov #%zu", i);
		report(what, recvmsg(sv[1], &m, MSG_DONTWAIT));
	}
	/* A good message, so that the shortened path runs too. */
	char data[8] = "abcdefg", got[8] = "";
	struct iovec iov = { data, sizeof(data) }, in_iov = { got, sizeof(got) };
	struct msghdr out = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct msghdr in = { .msg_iov = &in_iov, .msg_iovlen = 1 };
	outcome("sendmsg good", sendmsg(sv[0], &out, 0));
	outcome("recvmsg good", recvmsg(sv[1], &in, 0));
	return 0;
}

static int bad_vectors(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *edge = edge_pages();
	int fd[2];
	if (pipe(fd)) {
		perror("pipe");
		return 2;
	}
	static char buf[2048];
	static struct iovec many[1025];
	for (int i = 0; i < 1025; i++)
		many[i] = (struct iovec){ buf + i, 1 };
	outcome("writev 1024 vectors", writev(fd[1], many, 1024));
	report("writev 1025 vectors", writev(fd[1], many, 1025));
	report("readv 1025 vectors", readv(fd[0], many, 1025));
	volatile int minus_one = -1;	/* hidden from the compiler's checks */
	report("readv -1 vectors", readv(fd[0], many, minus_one));
	/* One vector at a page's end, a count that runs past it. */
	struct iovec *last = (struct iovec *)(edge + page) - 1;
	*last = (struct iovec){ buf, 4 };
	report("writev past the page", writev(fd[1], last, 1000));
	report("readv past the page", readv(fd[0], last, 1000));
	report("readv past the page, 1025", readv(fd[0], last, 1025));
	volatile uintptr_t one = 1;
	report("readv bad array", readv(fd[0], (struct iovec *)one, 3));
	outcome("readv 1024 vectors", readv(fd[0], many, 1024));
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "connect"))
		return bad_connects(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "msg"))
		return bad_msgs();
	if (argc == 2 && !strcmp(argv[1], "readv"))
		return bad_vectors();
	fprintf(stderr, "badptr: bad arguments\n");
	return 2;
}
