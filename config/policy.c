/* policy.c: the families and their built-in policies.
 *
 * The built-in error sets are the transient failures of each family.
 * Errors that mean a bug in the program (EBADF, EINVAL, EFAULT,
 * ENOTSOCK) are never in them: retrying a bug only hides it. */
#include "policy.h"

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
	EAI_BADFLAGS, EAI_FAMILY, EAI_SOCKTYPE, EAI_SERVICE, EAI_OVERFLOW, 0
};

bool never_transient(int code)
{
	for (const int *c = never_transient_errors; *c; c++)
		if (*c == code)
			return true;
	return false;
}

static const int connect_errors[] = {
	ECONNREFUSED, ETIMEDOUT, ENETUNREACH, EHOSTUNREACH, EAGAIN, ENOENT, 0
};
static const int accept_errors[] = {
	ECONNABORTED, EPROTO, EMFILE, ENFILE, ENOBUFS, ENOMEM, ENETDOWN,
	ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH, 0
};
static const int io_errors[] = { ENOBUFS, ENOMEM, 0 };
static const int getaddrinfo_errors[] = { EAI_AGAIN, 0 };

static const int *const builtin_errors[FAMILY_COUNT] = {
	[FAMILY_CONNECT] = connect_errors,
	[FAMILY_ACCEPT] = accept_errors,
	[FAMILY_READ] = io_errors,
	[FAMILY_WRITE] = io_errors,
	[FAMILY_RECV] = io_errors,
	[FAMILY_SEND] = io_errors,
	[FAMILY_GETADDRINFO] = getaddrinfo_errors,
};

void policy_builtin(struct policy *policy, enum family family)
{
	*policy = (struct policy){
		.tries = -1,
		.delay = 0,
		.backoff = 1,
		.jitter_min = 0,
		.jitter_max = 0,
		.min_delay = 0,
		.max_delay = DELAY_UNBOUNDED,
		.deadline = SECONDS_UNSET,
		.attempt_timeout = SECONDS_UNSET,
		.spread = SPREAD_NONE,
		.budget = 0,
		.budget_min = 10,
		.enabled = true,
	};
	for (const int *code = builtin_errors[family]; *code; code++)
		errset_add(&policy->errors, *code);
}
