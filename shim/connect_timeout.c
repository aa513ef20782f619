/* connect_timeout.c: attempt_timeout for connect (see the header).
 *
 * It hooks in by swapping attempt.connect at load time, as rule 2 asks,
 * and only when a policy sets attempt_timeout: then every blocking inet
 * connect costs three fcntl calls, two signal mask changes and a poll
 * more, which is the price of the bound.  Without attempt_timeout the
 * wrapper is untouched. */
#include "connect_timeout.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "blockall.h"
#include "guard.h"
#include "progmem.h"
#include "real.h"
#include "runtime.h"
#include "signals.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int connect_result(int fd)
{
	int err = 0;
	socklen_t err_len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) < 0)
		return -1;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

void connect_abort(int fd)
{
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	int saved = errno;
	libc.connect(fd, &unspec, sizeof(unspec));
	errno = saved;
}

int connect_await(int fd, double seconds, unsigned signal_mark)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	double until = now() + seconds;
	for (;;) {
		int ms = -1;
		if (seconds >= 0) {
			double left = until - now();
			if (left <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			ms = (int)(left * 1000) + 1;	/* never short */
		}
		int n = poll(&p, 1, ms);
		if (n > 0)
			break;
		if (n < 0 && errno != EINTR)
			return -1;
		if (n < 0 && signals_cut_short(signal_mark))
			return -1;	/* EINTR, as the blocking call */
	}
	return connect_result(fd);
}

/* What a bounded attempt calls: whatever attempt.connect was when the
 * bound was installed (libc's, or the fault injector's, so injected
 * faults still land beneath the bound). */
static int (*connect_next)(int, const struct sockaddr *, socklen_t);

static int connect_once(int fd, const struct sockaddr *addr, socklen_t len)
{
	return connect_next ? connect_next(fd, addr, len) :
			      libc.connect(fd, addr, len);
}

/* Starts the connect non-blocking and puts the program's flags back at
 * once: the connect goes on in the kernel whatever the flags, and
 * waiting for it needs no O_NONBLOCK.  Signals are blocked across these
 * three quick calls, so no handler, one that siglongjmps out included,
 * can run while the flags are ours.  False when the flags could not be
 * set and nothing was called. */
static bool connect_started(int fd, const struct sockaddr *addr,
			    socklen_t len, int flags, int *rc)
{
	uint64_t before = block_all_signals();
	bool started = syscall(SYS_fcntl, fd, F_SETFL, flags | O_NONBLOCK) == 0;
	if (started) {
		*rc = connect_once(fd, addr, len);
		int err = errno;
		syscall(SYS_fcntl, fd, F_SETFL, flags);
		errno = err;
	}
	int err = errno;
	restore_signals(before);
	errno = err;
	return started;
}

int connect_timed(int fd, const struct sockaddr *addr, socklen_t len,
		  double seconds)
{
	sa_family_t family = AF_UNSPEC;
	bool inet = addr && len >= sizeof(family) &&
		    progmem_copy(&family, &addr->sa_family, sizeof(family)) &&
		    (family == AF_INET || family == AF_INET6);
	int flags = inet && seconds > 0 ? fcntl(fd, F_GETFL) : -1;
	unsigned mark = signals_mark();
	int rc;
	if (flags == -1 || (flags & O_NONBLOCK) ||
	    !connect_started(fd, addr, len, flags, &rc))
		return connect_once(fd, addr, len);
	/* A handler held back by connect_started would have interrupted
	 * the blocking connect. */
	if (rc == -1 && errno == EINPROGRESS && signals_since(mark))
		errno = EINTR;
	if (rc == -1 && errno == EINPROGRESS) {
		rc = connect_await(fd, seconds, mark);
		if (rc == -1 && errno != EINTR)
			connect_abort(fd);
	}
	return rc;
}

double connect_attempt_limit(const struct config *cfg,
			     const struct sockaddr *addr, socklen_t len)
{
	const struct policy *p = config_policy_for(cfg, FAMILY_CONNECT, addr,
						   len, NULL);
	if (!p->enabled || p->attempt_timeout == SECONDS_UNSET)
		return SECONDS_UNSET;
	/* A deadline bounds the first attempt too. */
	if (p->deadline != SECONDS_UNSET && p->deadline < p->attempt_timeout)
		return p->deadline;
	return p->attempt_timeout;
}

static int bounded_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct config *cfg = runtime_config();
	if (guard_held() || !cfg || cfg->pass_through)
		return connect_once(fd, addr, len);
	struct sockaddr_storage copy;
	socklen_t copy_len = len;
	const struct sockaddr *readable = progmem_sockaddr(&copy, addr, &copy_len);
	return connect_timed(fd, addr, len,
			     connect_attempt_limit(cfg, readable, copy_len));
}

void connect_timeout_install(const struct config *cfg)
{
	bool wanted = cfg->policy[FAMILY_CONNECT].attempt_timeout !=
		      SECONDS_UNSET;
	for (int d = 0; d < cfg->destination_count; d++)
		if (cfg->destination[d].family == FAMILY_CONNECT &&
		    cfg->destination[d].policy.attempt_timeout != SECONDS_UNSET)
			wanted = true;
	if (!wanted || cfg->pass_through)
		return;
	connect_next = attempt.connect;
	__atomic_store_n(&attempt.connect, bounded_connect, __ATOMIC_RELEASE);
}
