/* handlers: a program whose first wrapped call comes from a signal
 * handler, and one that chroots before its first failure.  It prints
 * its own progress with raw system calls, so those lines are not
 * wrapped calls themselves.
 *
 *   handlers install HOW    sets a SIGUSR1 handler with HOW (sigaction,
 *                           signal, bsd_signal, ssignal, sysv_signal,
 *                           __sysv_signal or sigset),
 *                           raises it; the handler write()s a line
 *   handlers chroot DIR PORT  chroots into DIR, then connects to
 *                           127.0.0.1:PORT (a dead port)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Exported by glibc, no longer declared for _GNU_SOURCE; sigset is
 * deprecated, which is no reason for the shim to miss it. */
sighandler_t bsd_signal(int sig, sighandler_t handler);
sighandler_t __sysv_signal(int sig, sighandler_t handler);
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

static void say(const char *line)
{
	syscall(SYS_write, 1, line, strlen(line));
}

static void handler(int sig)
{
	(void)sig;
	static const char line[] = "handler wrote\n";
	if (write(1, line, sizeof(line) - 1) != sizeof(line) - 1)
		say("handler write failed\n");
}

static int install(const char *how)
{
	if (strcmp(how, "sigaction") == 0) {
		struct sigaction sa = { .sa_handler = handler };
		return sigaction(SIGUSR1, &sa, NULL);
	}
	sighandler_t (*set)(int, sighandler_t) =
		strcmp(how, "signal") == 0 ? signal :
		strcmp(how, "bsd_signal") == 0 ? bsd_signal :
		strcmp(how, "ssignal") == 0 ? ssignal :
		strcmp(how, "__sysv_signal") == 0 ? __sysv_signal :
		strcmp(how, "sysv_signal") == 0 ? sysv_signal :
		strcmp(how, "sigset") == 0 ? sigset : NULL;
	return set && set(SIGUSR1, handler) != SIG_ERR ? 0 : -1;
}

static int connect_after_chroot(const char *dir, int port)
{
	if (chroot(dir) != 0 || chdir("/") != 0) {
		say("chroot failed\n");
		return 1;
	}
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int rc = connect(s, (struct sockaddr *)&to, sizeof(to));
	say(rc == -1 && errno == ECONNREFUSED ? "refused\n" : "not refused\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "install") == 0) {
		say("installing\n");
		if (install(argv[2]) != 0) {
			say("install failed\n");
			return 1;
		}
		say("raising\n");
		raise(SIGUSR1);
		say("done\n");
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "chroot") == 0)
		return connect_after_chroot(argv[2], atoi(argv[3]));
	say("usage: see the comment at the top of handlers.c\n");
	return 2;
}
