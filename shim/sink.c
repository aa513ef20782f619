/* sink.c: our own syslog client, and the stderr and file sinks.
 *
 * glibc's syslog() would change the program's own openlog identity, takes
 * a lock, and is not async-signal-safe; a retry may run in a signal
 * handler.  So records are RFC 3164 datagrams sent with raw syscalls and
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

static bool send_syslog(const struct log_settings *log, int severity,
			const struct text *message)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t path_len = strlen(log->path);
	if (path_len >= sizeof(addr.sun_path))
		return false;
	memcpy(addr.sun_path, log->path, path_len + 1);

	struct text t = { 0 };
	text_str(&t, "<");
	text_int(&t, log->facility | severity);
	text_str(&t, ">");
	timestamp(&t);
	text_str(&t, " ");
	header(&t);
	text_mem(&t, message->buf, message->len);

	int fd = (int)syscall(SYS_socket, AF_UNIX,
			      SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return false;
	long n;
	do {
		n = syscall(SYS_sendto, fd, t.buf, t.len,
			    MSG_DONTWAIT | MSG_NOSIGNAL, &addr,
			    (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
					path_len + 1));
	} while (n < 0 && errno == EINTR);
	syscall(SYS_close, fd);
	return n == (long)t.len;
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
