/* sink.c: our own syslog client, and the stderr and file sinks.
 *
 * glibc's syslog() would change the program's own openlog identity, takes
 * a lock, and is not async-signal-safe; a retry may run in a signal
 * handler.  So records are RFC 3164 datagrams (a stream connection when
 * the daemon listens on a stream socket) sent with raw syscalls and
 * MSG_DONTWAIT: a stopped or slow daemon costs a dropped record, never a
 * blocked program.  Each record opens and closes its own socket or file,
 * so there is no fd for the program to close or dup2 over between
 * records, and a restarted daemon is found again on the next record.
 *
 * While a record is delivered, signals are blocked, so a handler cannot
 * swap our fd between open and write.  Another thread of the program
 * still could (dup2 over "every fd"); so before writing we check the fd
 * still is what we opened (close-on-exec, which dup2 clears, and the
 * flags we opened the log file with, or an AF_UNIX socket of our type),
 * and we close it only if it still is: an fd the program took over is
 * the program's, and closing it would break the program.  Every other
 * way out of a record closes what we opened. */
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

/* Programs that sweep fds (closefrom-like loops, dup2 over "every fd")
 * usually stop at 1024; a record's fd is moved above that when the fd
 * limit allows, so another thread's sweep cannot swap it mid-record. */
#define FD_SWEPT 1024
#define FD_PRIVATE 1100

static int move_high(int fd)
{
	struct rlimit rl;
	if (fd >= FD_SWEPT ||
	    syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) != 0 ||
	    rl.rlim_cur <= FD_PRIVATE + 64)
		return fd;
	struct stat low, high;
	if (syscall(SYS_fstat, fd, &low) != 0)
		return -1;
	int moved = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, FD_PRIVATE);
	if (moved < 0)
		return fd;
	/* Close the low fd only while it is still what we duplicated. */
	if (syscall(SYS_fstat, fd, &high) == 0 && high.st_dev == low.st_dev &&
	    high.st_ino == low.st_ino)
		syscall(SYS_close, fd);
	return moved;
}

/* Is fd (still) the file whose stat is `file`? */
static bool is_file(int fd, const struct stat *file)
{
	struct stat st;
	return syscall(SYS_fstat, fd, &st) == 0 && st.st_dev == file->st_dev &&
	       st.st_ino == file->st_ino;
}

/* Is fd the log file we just opened, and not a file another thread's
 * dup2 put there?  dup2 and dup clear FD_CLOEXEC, which our open and
 * F_DUPFD_CLOEXEC set, and the open file keeps the flags we opened it
 * with.  The path is no test: the log may have been renamed (rotated)
 * since the open, and the fd is still ours to write and close. */
static bool is_our_log(int fd, struct stat *opened)
{
	long fd_flags = syscall(SYS_fcntl, fd, F_GETFD);
	long fl = syscall(SYS_fcntl, fd, F_GETFL);
	long want = O_WRONLY | O_APPEND | O_NONBLOCK;
	return fd_flags >= 0 && (fd_flags & FD_CLOEXEC) && fl >= 0 &&
	       (fl & (O_ACCMODE | O_APPEND | O_NONBLOCK)) == want &&
	       syscall(SYS_fstat, fd, opened) == 0;
}

/* Is fd (still) the socket whose inode is `ino`? */
static bool is_socket(int fd, ino_t ino)
{
	struct stat st;
	return syscall(SYS_fstat, fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
	       st.st_ino == ino;
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
	if (fd >= 0)
		fd = move_high(fd);
	if (fd < 0)
		return false;
	struct stat opened;
	if (!is_our_log(fd, &opened))
		return false;	/* fd taken over: not ours to write or close */
	bool ok = write_all(fd, &t);
	if (is_file(fd, &opened))
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
	if (fd >= 0)
		fd = move_high(fd);
	if (fd < 0)
		return false;
	/* Still our kind of socket?  Another thread may have dup2'ed its own
	 * fd over ours (see the top); then it is not ours to use or close. */
	struct stat st;
	int domain = 0, kind = 0;
	socklen_t dlen = sizeof(domain), klen = sizeof(kind);
	if (syscall(SYS_fstat, fd, &st) != 0 || !S_ISSOCK(st.st_mode) ||
	    syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, &domain,
		    &dlen) != 0 || domain != AF_UNIX ||
	    syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, &kind,
		    &klen) != 0 || kind != type)
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
	if (is_socket(fd, st.st_ino))
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
	sigset_t all, before;
	sigfillset(&all);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &before, _NSIG / 8);
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
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &before, NULL, _NSIG / 8);
	errno = saved;
	return ok;
}
