/* policy.c: the families and their built-in policies.
 *
 * The defaults are not kaioretry's (tries=-1, delay=0).  Those belong to
 * a decorator a programmer put on one call they chose; a preload retries
 * every call of a program nobody asked.  So: delay 0.1 s, backoff 2,
 * max_delay 2 s (a dead port costs a few calls a second, never a busy
 * loop), and tries=-1 bounded by a built-in deadline of 10 s, after
 * which the program sees the error it would have handled.  A user who
 * sets tries or deadline anywhere gets exactly that (policy.h), and the
 * built-in cap never sleeps less than a delay or min_delay they set.
 *
 * The built-in error sets are the transient failures of each family.
 * Errors that mean a bug in the program (EBADF, EINVAL, EFAULT,
 * ENOTSOCK) are never in them: retrying a bug only hides it.  Nor are
 * errors that mean the call can never work, or that the program must
 * see; decided code by code:
 * - connect ENOENT (AF_UNIX path missing) is left out: it is far more
 *   often a service this host does not run than one starting up (no
 *   /dev/log in a container: python's SysLogHandler tries it at every
 *   message and carries on).  Name it in `errors` for a socket you know
 *   will appear.
 * - accept EOPNOTSUPP is left out: on Linux it means the socket's type
 *   has no accept (UDP, raw); accept(2)'s "pending network error"
 *   reading does not occur for TCP.  Its other codes (EMFILE included:
 *   other threads close fds) stay, under the backoff and deadline.
 * - read and recv ENOBUFS are left out: on a netlink socket it says
 *   "events were lost, resync now", which the program must see.
 * - send ENOBUFS stays (a full device queue drains), except that the
 *   shim never retries it for a sendmsg that carries control data
 *   (shim/sendmsg.c): that is the kernel refusing the control buffer
 *   (net.core.optmem_max), which no wait changes.
 * - the old resolver (gethostbyname, res_query, ...) retries TRY_AGAIN
 *   only: HOST_NOT_FOUND and NO_DATA are answers.  ERANGE from its _r
 *   forms asks the program for a bigger buffer, so it is never
 *   transient, not even under `all`.
 * - bind is off unless asked for (`on = all, bind`, or a [bind ADDR:PORT]
 *   section): programs probe for a free port (vsftpd's passive ports,
 *   sshd's X11 displays) and must not wait at each taken one.  When on,
 *   EADDRINUSE (an old instance, TIME_WAIT) and EADDRNOTAVAIL (an
 *   address not up yet), for a chosen port only (shim/bind.c).
 * - nss (getpwnam... and their _r forms) retries what a backend says
 *   while it starts: NSS_STATUS_TRYAGAIN comes with EAGAIN (ERANGE is
 *   the program's buffer: never retried), and LDAP or sssd clients
 *   whose daemon does not answer yet give ECONNREFUSED or ETIMEDOUT.
 *   Not ENOENT: glibc says so for a service with no module, and a
 *   client says so for a daemon this host does not run.  "Not found"
 *   is an answer (NULL or no result with errno 0), never a failure.
 * - open (open, openat, creat, fopen and their 64-bit and fortify
 *   names) is off unless asked for (`on = open`, or an [open GLOB]
 *   section), and `on = all` leaves it out: programs probe for optional
 *   files (curl fails 6 of its 8 start-up opens with ENOENT on
 *   purpose).  When on, ENOENT and ENXIO (a path or device not there
 *   yet, a FIFO with no reader), ENODEV (a driver not loaded yet) and
 *   ESTALE (an NFS handle while the server comes back).
 * - disk (close, fsync, fdatasync, ftruncate) is never retried and has
 *   no errors; no setting turns it on.  Linux releases a descriptor
 *   before close can fail, so a second close hits nothing, or another
 *   thread's new file; after a failed fsync the kernel may have dropped
 *   the dirty pages and marked them clean (PostgreSQL's "fsyncgate"), so
 *   a second fsync succeeds on lost data.  The family exists for fault
 *   injection, whose rules fail these calls beneath nothing. */
#include "policy.h"

#include "errnames.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>

static const char *const names[FAMILY_COUNT] = {
#define X(UPPER, lower) #lower,
	FAMILIES(X)
#undef X
};

const char *family_name(enum family family)
{
	return names[family];
}

bool family_opt_in(enum family family)
{
	return family == FAMILY_BIND || family == FAMILY_OPEN;
}

bool family_never_retried(enum family family)
{
	return family == FAMILY_DISK;
}

int family_by_name(const char *name, unsigned long len)
{
	for (int f = 0; f < FAMILY_COUNT; f++)
		if (strlen(names[f]) == len && memcmp(names[f], name, len) == 0)
			return f;
	return -1;
}

/* What `errors = all` leaves out: the call, as the program made it, can
 * never work, so a retry only hides the bug (or, with tries=-1, hangs
 * the program on it).  The one list; explain and the man page name it. */
static const int never_transient_errors[] = {
	EFAULT, EBADF, EINVAL, ENOTSOCK, EISCONN, EAFNOSUPPORT, EPROTOTYPE,
	EMSGSIZE, ENAMETOOLONG, ESPIPE, EISDIR, ENOSYS, EPIPE,
	ERANGE, EAI_BADFLAGS, EAI_FAMILY, EAI_SOCKTYPE, EAI_SERVICE,
	EAI_OVERFLOW, 0
};

bool never_transient(int code)
{
	for (const int *c = never_transient_errors; *c; c++)
		if (*c == code)
			return true;
	return false;
}

static const int connect_errors[] = {
	ECONNREFUSED, ETIMEDOUT, ENETUNREACH, EHOSTUNREACH, EAGAIN, 0
};
static const int accept_errors[] = {
	ECONNABORTED, EPROTO, EMFILE, ENFILE, ENOBUFS, ENOMEM, ENETDOWN,
	ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, ENETUNREACH, 0
};
static const int input_errors[] = { ENOMEM, 0 };
static const int output_errors[] = { ENOBUFS, ENOMEM, 0 };
static const int getaddrinfo_errors[] = { EAI_AGAIN, 0 };
static const int resolver_errors[] = { HERRNO_CODE(TRY_AGAIN), 0 };
static const int bind_errors[] = { EADDRINUSE, EADDRNOTAVAIL, 0 };
static const int nss_errors[] = { EAGAIN, ECONNREFUSED, ETIMEDOUT, 0 };
static const int no_errors[] = { 0 };
static const int open_errors[] = { ENOENT, ENXIO, ENODEV, ESTALE, 0 };

static const int *const builtin_errors[FAMILY_COUNT] = {
	[FAMILY_CONNECT] = connect_errors,
	[FAMILY_ACCEPT] = accept_errors,
	[FAMILY_READ] = input_errors,
	[FAMILY_WRITE] = output_errors,
	[FAMILY_RECV] = input_errors,
	[FAMILY_SEND] = output_errors,
	[FAMILY_GETADDRINFO] = getaddrinfo_errors,
	[FAMILY_RESOLVER] = resolver_errors,
	[FAMILY_BIND] = bind_errors,
	[FAMILY_NSS] = nss_errors,
	[FAMILY_DISK] = no_errors,
	[FAMILY_OPEN] = open_errors,
};

void policy_builtin(struct policy *policy, enum family family)
{
	*policy = (struct policy){
		.tries = -1,
		.delay = 0.1,
		.backoff = 2,
		.jitter_min = 0,
		.jitter_max = 0,
		.min_delay = 0,
		.max_delay = 2,
		.max_delay_builtin = true,
		.deadline = 10,
		.deadline_builtin = true,
		.attempt_timeout = SECONDS_UNSET,
		.spread = SPREAD_NONE,
		.budget = 0,
		.budget_min = 10,
		.enabled = !family_opt_in(family) &&
			   !family_never_retried(family),
	};
	for (const int *code = builtin_errors[family]; *code; code++)
		errset_add(&policy->errors, *code);
}

void policy_bound_chosen(struct policy *policy)
{
	if (policy->deadline_builtin)
		policy->deadline = SECONDS_UNSET;
	policy->deadline_builtin = false;
}

void policy_cap_settle(struct policy *policy)
{
	if (!policy->max_delay_builtin)
		return;
	if (policy->max_delay < policy->delay)
		policy->max_delay = policy->delay;
	if (policy->max_delay < policy->min_delay)
		policy->max_delay = policy->min_delay;
}
