/* sink.c: our own syslog client, and the stderr and file sinks.
 *
 * glibc's syslog() would change the program's own openlog identity, takes
 * a lock, and is not async-signal-safe; a retry may run in a signal
 * handler.  So records are RFC 3164 datagrams (a stream connection when
 * the daemon listens on a stream socket) sent with raw syscalls and
 * MSG_DONTWAIT: a stopped or slow daemon costs a dropped record, never a
 * blocked program.  Each record opens and closes its own socket or file,
 * so there is no fd for the program to close or dup2 over between
 * records, and a restarted daemon is found again on the next record. */
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "localclock.h"

static void header(struct text *t)
{
	text_str(t, "kaioretry[");
	text_int(t, (int64_t)syscall(SYS_getpid));
	text_str(t, "]: ");
}

static void timestamp(struct text *t)
{
	text_rfc3164_time(t, localclock_now());
}

static bool write_all(int fd, const struct text *t)
{
	size_t done = 0;
	while (done < t->len) {
		long n = syscall(SYS_write, fd, t->buf + done, t->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

static bool send_stderr(const struct text *message)
{
	struct text t = { 0 };
	header(&t);
	text_mem(&t, message->buf, message->len);
	text_str(&t, "\n");
	return write_all(2, &t);
}

static bool send_file(const char *path, const struct text *message)
{
	struct text t = { 0 };
	timestamp(&t);
	text_str(&t, " ");
	header(&t);
	text_mem(&t, message->buf, message->len);
	text_str(&t, "\n");
	int fd = (int)syscall(SYS_open, path,
			      O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
			      O_NOCTTY | O_NONBLOCK, 0644);
	if (fd < 0)
		return false;
	bool ok = write_all(fd, &t);
	syscall(SYS_close, fd);
	return ok;
}

/* One record to the socket at `addr`, as a datagram; or, when the
 * daemon listens on a stream socket (syslog-ng's unix-stream), over a
 * fresh connection with a NUL after the record, as glibc does.  A
 * partial stream write counts as a dropped record. */
static bool send_to_socket(int type, const struct sockaddr_un *addr,
			   socklen_t addr_len, const struct text *t)
{
	int fd = (int)syscall(SYS_socket, AF_UNIX,
			      type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return false;
	long n = -1;
	size_t len = t->len + (type == SOCK_STREAM);	/* the NUL */
	if (type == SOCK_DGRAM ||
	    syscall(SYS_connect, fd, addr, addr_len) == 0) {
		do {
			n = syscall(SYS_sendto, fd, t->buf, len,
				    MSG_DONTWAIT | MSG_NOSIGNAL,
				    type == SOCK_DGRAM ? addr : NULL,
				    type == SOCK_DGRAM ? addr_len : 0);
		} while (n < 0 && errno == EINTR);
	}
	int err = errno;	/* EPROTOTYPE tells the caller to try a stream */
	syscall(SYS_close, fd);
	errno = err;
	return n == (long)len;
}

static bool send_syslog(const struct log_settings *log, int severity,
			const struct text *message)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t path_len = strlen(log->path);
	if (path_len >= sizeof(addr.sun_path))
		return false;
	memcpy(addr.sun_path, log->path, path_len + 1);
	socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
					 path_len + 1);

	struct text t = { 0 };
	text_str(&t, "<");
	text_int(&t, log->facility | severity);
	text_str(&t, ">");
	timestamp(&t);
	text_str(&t, " ");
	header(&t);
	text_mem(&t, message->buf, message->len);

	if (send_to_socket(SOCK_DGRAM, &addr, addr_len, &t))
		return true;
	return errno == EPROTOTYPE &&
	       send_to_socket(SOCK_STREAM, &addr, addr_len, &t);
}

bool sink_send(const struct log_settings *log, int severity,
	       const struct text *message)
{
	int saved = errno;
	bool ok = false;
	switch (log->sink) {
	case SINK_STDERR:
		ok = send_stderr(message);
		break;
	case SINK_FILE:
		ok = send_file(log->path, message);
		break;
	case SINK_SYSLOG:
		ok = send_syslog(log, severity, message);
		break;
	case SINK_NONE:
		ok = true;
		break;
	}
	errno = saved;
	return ok;
}
