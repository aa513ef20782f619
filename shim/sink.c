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
 * way out of a record closes what we opened.
 * A fork in another thread waits until no record holds an fd
 * (sink_fork.c), so no child inherits one.
 *
 * The journal (sink_journal.c) gets the same treatment: one datagram
 * on a fresh socket per record; RFC 5424 framing (sink_rfc5424.c)
 * changes only the header of a syslog record.
 *
 * A record is built and sent in memory mapped for it alone (struct
 * record), not on the stack: a retry may run in a signal handler on a
 * small alternate stack.  Signals stay blocked from the mapping to the
 * unmapping, so a handler that jumps out cannot strand either. */
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "blockall.h"
#include "localclock.h"
#include "sink_fork.h"
#include "sink_journal.h"
#include "sink_rfc5424.h"

/* One record's memory.  `message` comes first: the text handed out by
 * sink_record is the record (see the assertion below). */
struct record {
	struct text message;		/* what log.c writes */
	struct text wire;		/* as sent: header and message */
	uint64_t before;		/* the program's signal mask */
	struct stat st[2];		/* scratch for the fd checks */
	struct sockaddr_un addr;	/* the syslog or journal socket */
	struct text target;		/* sink_record_target */
	struct journal_wire journal;	/* as sent to the journal */
};
_Static_assert(offsetof(struct record, message) == 0, "record = message");

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

/* After the header of a timestamped record: a zone we could not read
 * (localclock.h) leaves the time in UTC, and the record says so. */
static void zone_note(struct text *t)
{
	if (localclock_source() == LOCALCLOCK_UTC_UNREAD)
		text_str(t, "(time in UTC: zone not read) ");
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

static bool send_stderr(struct record *r)
{
	struct text *t = &r->wire;
	header(t);
	text_mem(t, r->message.buf, r->message.len);
	text_str(t, "\n");
	return write_all(2, t);
}

/* Programs that sweep fds (closefrom-like loops, dup2 over "every fd")
 * usually stop at 1024; a record's fd is moved above that when the fd
 * limit allows, so another thread's sweep cannot swap it mid-record. */
#define FD_SWEPT 1024
#define FD_PRIVATE 1100

static int move_high(struct record *r, int fd)
{
	struct rlimit rl;
	if (fd >= FD_SWEPT ||
	    syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) != 0 ||
	    rl.rlim_cur <= FD_PRIVATE + 64)
		return fd;
	struct stat *low = &r->st[0], *high = &r->st[1];
	if (syscall(SYS_fstat, fd, low) != 0)
		return -1;
	int moved = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, FD_PRIVATE);
	if (moved < 0)
		return fd;
	/* Close the low fd only while it is still what we duplicated. */
	if (syscall(SYS_fstat, fd, high) == 0 && high->st_dev == low->st_dev &&
	    high->st_ino == low->st_ino)
		syscall(SYS_close, fd);
	return moved;
}

/* Is fd (still) the file whose stat is r->st[0]? */
static bool is_file(struct record *r, int fd)
{
	struct stat *st = &r->st[1];
	return syscall(SYS_fstat, fd, st) == 0 &&
	       st->st_dev == r->st[0].st_dev && st->st_ino == r->st[0].st_ino;
}

/* Is fd the log file we just opened, and not a file another thread's
 * dup2 put there?  dup2 and dup clear FD_CLOEXEC, which our open and
 * F_DUPFD_CLOEXEC set, and the open file keeps the flags we opened it
 * with.  The path is no test: the log may have been renamed (rotated)
 * since the open, and the fd is still ours to write and close.  Keeps
 * its stat in r->st[0]. */
static bool is_our_log(struct record *r, int fd)
{
	long fd_flags = syscall(SYS_fcntl, fd, F_GETFD);
	long fl = syscall(SYS_fcntl, fd, F_GETFL);
	long want = O_WRONLY | O_APPEND | O_NONBLOCK;
	return fd_flags >= 0 && (fd_flags & FD_CLOEXEC) && fl >= 0 &&
	       (fl & (O_ACCMODE | O_APPEND | O_NONBLOCK)) == want &&
	       syscall(SYS_fstat, fd, &r->st[0]) == 0;
}

/* Is fd (still) the socket whose stat is r->st[0]? */
static bool is_socket(struct record *r, int fd)
{
	struct stat *st = &r->st[1];
	return syscall(SYS_fstat, fd, st) == 0 && S_ISSOCK(st->st_mode) &&
	       st->st_ino == r->st[0].st_ino;
}

static bool send_file(struct record *r, const char *path)
{
	struct text *t = &r->wire;
	timestamp(t);
	text_str(t, " ");
	header(t);
	zone_note(t);
	text_mem(t, r->message.buf, r->message.len);
	text_str(t, "\n");
	int fd = (int)syscall(SYS_open, path,
			      O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
			      O_NOCTTY | O_NONBLOCK, 0644);
	if (fd >= 0)
		fd = move_high(r, fd);
	if (fd < 0)
		return false;
	if (!is_our_log(r, fd))
		return false;	/* fd taken over: not ours to write or close */
	bool ok = write_all(fd, t);
	if (is_file(r, fd))
		syscall(SYS_close, fd);
	return ok;
}

/* buf (NUL-terminated for a stream) to the socket at r->addr, as a
 * datagram; or, when the daemon listens on a stream socket (syslog-ng's
 * unix-stream), over a fresh connection with a NUL after the record, as
 * glibc does.  A partial stream write counts as a dropped record. */
static bool send_to_socket(struct record *r, int type, socklen_t addr_len,
			   const char *buf, size_t buf_len)
{
	int fd = (int)syscall(SYS_socket, AF_UNIX,
			      type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0)
		fd = move_high(r, fd);
	if (fd < 0)
		return false;
	/* Still our kind of socket?  Another thread may have dup2'ed its own
	 * fd over ours (see the top); then it is not ours to use or close. */
	int domain = 0, kind = 0;
	socklen_t dlen = sizeof(domain), klen = sizeof(kind);
	if (syscall(SYS_fstat, fd, &r->st[0]) != 0 ||
	    !S_ISSOCK(r->st[0].st_mode) ||
	    syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, &domain,
		    &dlen) != 0 || domain != AF_UNIX ||
	    syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, &kind,
		    &klen) != 0 || kind != type)
		return false;
	const struct sockaddr *addr = (const struct sockaddr *)&r->addr;
	long n = -1;
	size_t len = buf_len + (type == SOCK_STREAM);	/* the NUL */
	if (type == SOCK_DGRAM ||
	    syscall(SYS_connect, fd, addr, addr_len) == 0) {
		do {
			n = syscall(SYS_sendto, fd, buf, len,
				    MSG_DONTWAIT | MSG_NOSIGNAL,
				    type == SOCK_DGRAM ? addr : NULL,
				    type == SOCK_DGRAM ? addr_len : 0);
		} while (n < 0 && errno == EINTR);
	}
	int err = errno;	/* EPROTOTYPE tells the caller to try a stream */
	if (is_socket(r, fd))
		syscall(SYS_close, fd);
	errno = err;
	return n == (long)len;
}

/* r->addr from log->path; its length, or 0 when the path is too long. */
static socklen_t socket_address(struct record *r,
				const struct log_settings *log)
{
	size_t path_len = strlen(log->path);
	if (path_len >= sizeof(r->addr.sun_path))
		return 0;
	r->addr.sun_family = AF_UNIX;
	memcpy(r->addr.sun_path, log->path, path_len + 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_len +
			   1);
}

static bool send_syslog(struct record *r, const struct log_settings *log,
			int severity, const struct record_facts *facts,
			const struct text *target)
{
	socklen_t addr_len = socket_address(r, log);
	if (!addr_len)
		return false;

	struct text *t = &r->wire;
	if (log->format == LOG_FORMAT_RFC5424) {
		rfc5424_header(t, log->facility | severity, facts, target);
	} else {
		text_str(t, "<");
		text_int(t, log->facility | severity);
		text_str(t, ">");
		timestamp(t);
		text_str(t, " ");
		header(t);
		zone_note(t);
	}
	text_mem(t, r->message.buf, r->message.len);

	if (send_to_socket(r, SOCK_DGRAM, addr_len, t->buf, t->len))
		return true;
	return errno == EPROTOTYPE &&
	       send_to_socket(r, SOCK_STREAM, addr_len, t->buf, t->len);
}

/* journald reads datagrams only. */
static bool send_journal(struct record *r, const struct log_settings *log,
			 int severity, const struct record_facts *facts,
			 const struct text *target)
{
	socklen_t addr_len = socket_address(r, log);
	return addr_len &&
	       journal_wire_build(&r->journal, log, severity, &r->message,
				  facts, target) &&
	       send_to_socket(r, SOCK_DGRAM, addr_len, r->journal.buf,
			      r->journal.len);
}

struct text *sink_record(void)
{
	int saved = errno;
	uint64_t before = block_all_signals();
	struct record *r = (struct record *)syscall(SYS_mmap, NULL,
						     sizeof(struct record),
						     PROT_READ | PROT_WRITE,
						     MAP_PRIVATE | MAP_ANONYMOUS,
						     -1, 0);
	errno = saved;
	if (r == MAP_FAILED) {
		restore_signals(before);
		return NULL;
	}
	r->before = before;	/* the rest is zero, as mapped */
	return &r->message;
}

bool sink_takes_facts(const struct log_settings *log)
{
	return log->sink == SINK_JOURNAL ||
	       (log->sink == SINK_SYSLOG && log->format == LOG_FORMAT_RFC5424);
}

struct text *sink_record_target(struct text *record)
{
	return &((struct record *)record)->target;
}

bool sink_deliver(const struct log_settings *log, int severity,
		  struct text *message, const struct record_facts *facts)
{
	int saved = errno;
	struct record *r = (struct record *)message;
	bool ok = false;
	const struct text *target = facts ? facts->target : NULL;
	switch (log->sink) {
	case SINK_STDERR:
		ok = send_stderr(r);
		break;
	case SINK_FILE:
		if (sink_fds_begin()) {
			ok = send_file(r, log->path);
			sink_fds_end();
		}
		break;
	case SINK_SYSLOG:
		if (sink_fds_begin()) {
			ok = send_syslog(r, log, severity, facts, target);
			sink_fds_end();
		}
		break;
	case SINK_JOURNAL:
		if (sink_fds_begin()) {
			ok = send_journal(r, log, severity, facts, target);
			sink_fds_end();
		}
		break;
	case SINK_NONE:
		ok = true;
		break;
	}
	uint64_t before = r->before;
	syscall(SYS_munmap, r, sizeof(struct record));
	restore_signals(before);
	errno = saved;
	return ok;
}

bool sink_send(const struct log_settings *log, int severity,
	       const struct text *message, const struct record_facts *facts)
{
	struct text *t = sink_record();
	if (!t)
		return false;
	text_mem(t, message->buf, message->len);
	return sink_deliver(log, severity, t, facts);
}
