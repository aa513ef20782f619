/* ready.c: the readiness check hook, and the process-wide table of
 * addresses seen ready (see the header).
 *
 * It hooks in by swapping attempt.connect at load time, as rule 2 asks,
 * and only when some connect policy sets a protocol `ready`; with `tcp`
 * or nothing set the connect path is untouched.  Installed, each
 * unguarded connect costs a policy lookup and a look in the table; a
 * check runs only while its address has not been seen ready.
 *
 * The check's socket is the shim's: SOCK_CLOEXEC, non-blocking, closed
 * before returning, and it talks through libc's own functions, so no
 * wrapper sees it.  The first check runs where the program's blocking
 * connect would block, without the guard, as that connect would be: a
 * handler that runs meanwhile is treated as it would be there, and one
 * that interrupts the wait (no SA_RESTART) lets the program's connect go
 * ahead at once, and one that connects meanwhile goes ahead unchecked
 * (checks never nest).  A jump out of a check through libc's longjmp
 * family closes its socket (jumps.c), once fstat shows it is still that
 * socket.  Checks in a retry series run under the series' guard. */
#include "ready.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "connect_timeout.h"
#include "guard.h"
#include "inject.h"
#include "monotonic.h"
#include "progmem.h"
#include "ready_note.h"
#include "ready_protocols.h"
#include "real.h"
#include "runtime.h"
#include "signals.h"
#include "target.h"

/* --- the table of addresses seen ready --- */

/* Open addressing over 64-bit hashes of the address (family, port and
 * address, or the socket path); 0 is an empty slot.  Slots are only
 * ever filled, with a compare-and-swap, so readers need no lock.  A full
 * table only means more checks. */
#define SEEN_SLOTS 128

static uint64_t seen_ready[SEEN_SLOTS];

static uint64_t fnv1a(uint64_t h, const void *bytes, size_t len)
{
	const unsigned char *p = bytes;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* The key of an address, or 0 for one the check does not serve. */
static uint64_t address_key(const struct sockaddr *addr, socklen_t len)
{
	uint64_t h = fnv1a(0xcbf29ce484222325ull, &addr->sa_family,
			   sizeof(addr->sa_family));
	if (addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)addr;
		h = fnv1a(h, &in->sin_port, sizeof(in->sin_port));
		h = fnv1a(h, &in->sin_addr, sizeof(in->sin_addr));
	} else if (addr->sa_family == AF_INET6 &&
		   len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)addr;
		h = fnv1a(h, &in6->sin6_port, sizeof(in6->sin6_port));
		h = fnv1a(h, &in6->sin6_addr, sizeof(in6->sin6_addr));
	} else if (addr->sa_family == AF_UNIX &&
		   len > offsetof(struct sockaddr_un, sun_path)) {
		size_t at = offsetof(struct sockaddr_un, sun_path);
		h = fnv1a(h, (const char *)addr + at, len - at);
	} else {
		return 0;
	}
	return h ? h : 1;
}

static bool seen(uint64_t key)
{
	for (unsigned i = 0; i < SEEN_SLOTS; i++) {
		uint64_t k = __atomic_load_n(&seen_ready[(key + i) % SEEN_SLOTS],
					     __ATOMIC_ACQUIRE);
		if (k == key)
			return true;
		if (k == 0)
			return false;
	}
	return false;
}

static void mark_seen(uint64_t key)
{
	for (unsigned i = 0; i < SEEN_SLOTS; i++) {
		uint64_t *slot = &seen_ready[(key + i) % SEEN_SLOTS];
		uint64_t empty = 0;
		if (__atomic_compare_exchange_n(slot, &empty, key, false,
						__ATOMIC_RELEASE,
						__ATOMIC_ACQUIRE) ||
		    empty == key)
			return;
	}
}

/* --- whether a connect is checked --- */

/* The policy whose check this connect needs, or NULL.  `key` is then
 * the address's key in the table. */
static const struct policy *check_wanted(int fd, const struct sockaddr *addr,
					 socklen_t len, uint64_t *key)
{
	const struct config *cfg = runtime_config();
	if (!cfg || cfg->pass_through || !addr)
		return NULL;
	*key = address_key(addr, len);
	if (!*key)
		return NULL;
	const struct policy *p = config_policy_for(cfg, FAMILY_CONNECT, addr,
						   len, NULL);
	if (!p->enabled || p->ready.protocol == READY_TCP || p->tries == 1 ||
	    !errset_has(&p->errors, ECONNREFUSED) || seen(*key))
		return NULL;
	int type = 0;
	socklen_t type_len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0 ||
	    type != SOCK_STREAM)
		return NULL;
	int flags = fcntl(fd, F_GETFL);
	if (flags == -1 ||
	    ((flags & O_NONBLOCK) && p->nonblocking != NONBLOCKING_WAIT))
		return NULL;
	return p;
}

/* The bound of one check: `limit` (a series' attempt limit), else
 * attempt_timeout or READY_CHECK_SECONDS, within the deadline. */
static double check_bound(const struct policy *p, double limit)
{
	if (limit != SECONDS_UNSET)
		return limit;
	double bound = p->attempt_timeout != SECONDS_UNSET ?
		       p->attempt_timeout : READY_CHECK_SECONDS;
	if (p->deadline != SECONDS_UNSET && p->deadline < bound)
		bound = p->deadline;
	return bound;
}

/* --- the check --- */

enum outcome { OUTCOME_READY, OUTCOME_NOT_READY, OUTCOME_UNKNOWN };

/* The socket of the check under way on this thread, if any. */
static __thread struct {
	int fd_plus_one;	/* 0: none */
	ino_t ino;
} open_check __attribute__((tls_model("initial-exec")));

/* Whether the check's socket is still open as that socket: a handler
 * may have closed its number and opened another under it. */
static bool still_ours(void)
{
	struct stat st;
	int fd = open_check.fd_plus_one - 1;
	return fd >= 0 && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
	       st.st_ino == open_check.ino;
}

static void close_check(void)
{
	if (still_ours())
		libc.close(open_check.fd_plus_one - 1);
	open_check.fd_plus_one = 0;
}

void ready_left_by_jump(void)
{
	if (open_check.fd_plus_one)
		close_check();
}

/* Polls fd for `events` until `until`: 1 when they came, 0 at the end
 * of time or on an error, -1 when a handler without SA_RESTART ran
 * (the program's own connect then goes ahead at once). */
static int await(int fd, short events, const struct timespec *until,
		 unsigned mark)
{
	struct pollfd p = { .fd = fd, .events = events };
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = (long)(until->tv_sec - now.tv_sec) * 1000 +
			  (until->tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0)
			return 0;
		int n = poll(&p, 1, (int)ms);
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return 0;
		if (signals_cut_short(mark))
			return -1;
	}
}

/* Connects, asks and reads the answer on `fd` (the check's socket). */
static enum outcome ask(int fd, const struct ready_check *check,
			const struct sockaddr *addr, socklen_t len,
			double seconds, struct text *said)
{
	unsigned mark = signals_mark();
	struct timespec end = monotonic_in(seconds);
	const struct timespec *until = &end;
	if (libc.connect(fd, addr, len) != 0 &&
	    (errno != EINPROGRESS || await(fd, POLLOUT, until, mark) != 1 ||
	     connect_result(fd) != 0))
		return OUTCOME_UNKNOWN;	/* the program's connect will tell */

	struct text host = { 0 };
	if (addr->sa_family == AF_UNIX)
		text_str(&host, "localhost");
	else
		target_sockaddr(&host, addr, len);
	char request[READY_REQUEST_MAX];
	size_t request_len = ready_request(check, host.buf, request);
	for (size_t sent = 0; sent < request_len;) {
		ssize_t n = libc.send(fd, request + sent, request_len - sent,
				      MSG_NOSIGNAL);
		if (n > 0)
			sent += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			break;	/* closed on us: read what it said */
		else if (await(fd, POLLOUT, until, mark) != 1)
			return OUTCOME_UNKNOWN;
	}

	char answer[512];
	size_t got = 0;
	for (;;) {
		int ready = await(fd, POLLIN, until, mark);
		if (ready < 0)
			return OUTCOME_UNKNOWN;
		if (ready == 0) {
			text_str(said, "no answer within ");
			text_decimal(said, seconds);
			text_str(said, " s");
			return OUTCOME_NOT_READY;
		}
		ssize_t n = libc.recv(fd, answer + got, sizeof(answer) - got, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n > 0)
			got += (size_t)n;
		bool complete = n <= 0 || got == sizeof(answer);
		switch (ready_judge(check->protocol, answer, got, complete,
				    said)) {
		case VERDICT_READY:
			return OUTCOME_READY;
		case VERDICT_NOT_READY:
			return OUTCOME_NOT_READY;
		case VERDICT_INCOMPLETE:
			break;
		}
	}
}

/* The fault injector's decision on this check (rules for `ready`),
 * after its delay=; false when no rule acts. */
static bool injected(const struct sockaddr *addr, socklen_t len,
		     struct inject_decision *d)
{
	const struct config *cfg = runtime_config();
	struct inject_subject subject = { .id = INJECT_READY_CHECK,
					  .addr = addr, .addr_len = len };
	if (!cfg || !inject_on() || !inject_decide(&subject, d))
		return false;
	if (d->delay > 0)
		inject_sleep(d->delay);
	return true;
}

/* One check of `addr` under `p`; keeps errno.  `said` gets the
 * protocol's name and the server's words. */
static enum outcome check_once(const struct policy *p,
			       const struct sockaddr *addr, socklen_t len,
			       double limit, struct text *said)
{
	int saved = errno;
	enum outcome outcome = OUTCOME_UNKNOWN;
	struct inject_decision d;
	text_str(said, ready_protocol_name(p->ready.protocol));
	text_str(said, " ");
	if (injected(addr, len, &d) && d.error) {
		inject_check_failed(&d, said);
		errno = saved;
		return OUTCOME_NOT_READY;
	}
	/* A handler that connects while this thread's check waits goes
	 * ahead unchecked: checks never nest. */
	if (open_check.fd_plus_one && still_ours()) {
		errno = saved;
		return OUTCOME_UNKNOWN;
	}
	int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
			SOCK_CLOEXEC, 0);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0) {
		open_check.fd_plus_one = fd + 1;
		open_check.ino = st.st_ino;
		outcome = ask(fd, &p->ready, addr, len, check_bound(p, limit),
			      said);
		close_check();
	} else if (fd >= 0) {
		libc.close(fd);
	}
	errno = saved;
	return outcome;
}

/* Checks `fd`'s destination when it wants a check: true when it is not
 * ready, the attempt held back and noted. */
static bool hold_back(int fd, const struct sockaddr *program_addr,
		      socklen_t len, double limit)
{
	struct sockaddr_storage copy;
	const struct sockaddr *addr = progmem_sockaddr(&copy, program_addr,
						       &len);
	uint64_t key;
	const struct policy *p = check_wanted(fd, addr, len, &key);
	struct text said = { 0 };
	enum outcome outcome = p ? check_once(p, addr, len, limit, &said) :
			       OUTCOME_UNKNOWN;
	if (outcome == OUTCOME_NOT_READY) {
		ready_note_held(fd, &said);
		errno = ECONNREFUSED;
		return true;
	}
	ready_note_clear();
	if (outcome == OUTCOME_READY)
		mark_seen(key);
	return false;
}

/* --- the hook --- */

/* What attempt.connect was when the check was installed. */
static int (*ready_next)(int, const struct sockaddr *, socklen_t);

/* The program's first attempt; a series' retries are checked in
 * connect.c (ready_held_back), so calls under the guard pass. */
static int checked_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	if (!guard_held() && hold_back(fd, addr, len, SECONDS_UNSET))
		return -1;
	return ready_next(fd, addr, len);
}

bool ready_held_back(int fd, const struct sockaddr *addr, socklen_t len,
		     double limit)
{
	return ready_next && hold_back(fd, addr, len, limit);
}

bool ready_gave_up(int *result, const struct sockaddr *addr, socklen_t len)
{
	int fd;
	if (*result != -1 || !ready_note_get(&fd))
		return false;
	ready_note_clear();
	*result = ready_next(fd, addr, len);
	return true;
}

void ready_install(const struct config *cfg)
{
	bool wanted = cfg->policy[FAMILY_CONNECT].ready.protocol != READY_TCP;
	for (int d = 0; d < cfg->destination_count; d++)
		if (cfg->destination[d].family == FAMILY_CONNECT &&
		    cfg->destination[d].policy.ready.protocol != READY_TCP)
			wanted = true;
	if (!wanted || cfg->pass_through)
		return;
	ready_next = attempt.connect;
	__atomic_store_n(&attempt.connect, checked_connect, __ATOMIC_RELEASE);
}
