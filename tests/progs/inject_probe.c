/* inject_probe: makes numbered libc calls and reports which of them
 * failed, for the fault injection tests.  Its own output goes out with
 * a raw write system call, so it is never one of the counted calls.
 *
 *   inject_probe writes N              N one-byte writes to /dev/null
 *   inject_probe fork N                N writes, fork; the child makes N
 *                                      writes, then the parent N more
 *   inject_probe sendto N PORT_A PORT_B  N UDP sendto's to each port, in turn
 *   inject_probe gai NAME...           getaddrinfo of each name
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char out[1 << 20];
static size_t out_len;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out + out_len, sizeof(out) - out_len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(out) - out_len)
		out_len += (size_t)n;
}

static void flush(void)
{
	size_t done = 0;
	while (done < out_len) {
		long n = syscall(SYS_write, 1, out + done, out_len - done);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	out_len = 0;
}

/* "LABEL fails=2,3 errors=EIO,EIO" over calls first..first+n-1 */
static void writes(const char *label, int devnull, int first, int n)
{
	char fails[1 << 16] = "", errs[1 << 16] = "";
	size_t fl = 0, el = 0;
	for (int i = first; i < first + n; i++) {
		if (write(devnull, "x", 1) == 1)
			continue;
		const char *name = strerrorname_np(errno);
		fl += (size_t)snprintf(fails + fl, sizeof(fails) - fl, "%s%d",
				       fl ? "," : "", i);
		el += (size_t)snprintf(errs + el, sizeof(errs) - el, "%s%s",
				       el ? "," : "", name ? name : "?");
		if (fl > sizeof(fails) - 32 || el > sizeof(errs) - 32)
			break;
	}
	say("%s fails=%s errors=%s\n", label, fails, errs);
}

static int sendto_two(int n, int port_a, int port_b)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = { .sin_family = AF_INET };
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	say("fails=");
	for (int i = 1; i <= n; i++) {
		to.sin_port = htons((unsigned short)(i % 2 ? port_a : port_b));
		if (sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)) != 1)
			say("%s:%s ", i % 2 ? "a" : "b", strerrorname_np(errno));
	}
	say("\n");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "writes")) {
		int fd = open("/dev/null", O_WRONLY);
		writes("main", fd, 1, atoi(argv[2]));
	} else if (argc >= 3 && !strcmp(argv[1], "fork")) {
		int n = atoi(argv[2]);
		int fd = open("/dev/null", O_WRONLY);
		writes("parent", fd, 1, n);
		flush();
		pid_t pid = fork();
		if (pid == 0) {
			writes("child", fd, 1, n);
			flush();
			_exit(0);
		}
		waitpid(pid, NULL, 0);
		writes("parent-after", fd, n + 1, n);
	} else if (argc == 5 && !strcmp(argv[1], "sendto")) {
		sendto_two(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	} else if (argc >= 3 && !strcmp(argv[1], "gai")) {
		for (int i = 2; i < argc; i++) {
			struct addrinfo *res = NULL;
			struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
			int rc = getaddrinfo(argv[i], "80", &hints, &res);
			say("%s rc=%d\n", argv[i], rc);
			if (res)
				freeaddrinfo(res);
		}
	} else {
		say("inject_probe: bad arguments\n");
		flush();
		return 2;
	}
	flush();
	return 0;
}
