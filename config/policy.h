/* policy.h: what one retry policy is, and which families of calls exist.
 *
 * A policy is kaioretry's parameter set (tries, delay, backoff, jitter,
 * min_delay, max_delay, exceptions) with exceptions turned into a set of
 * error codes.  Codes are errno values (positive), getaddrinfo EAI_*
 * values or the old resolver's h_errno values (negative, errnames.h), so
 * one set type serves every family. */
#ifndef KAIORETRY_POLICY_H
#define KAIORETRY_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/delay.h"
#include "ready_key.h"

#define FAMILIES(X) \
	X(CONNECT, connect) \
	X(ACCEPT, accept) \
	X(READ, read) \
	X(WRITE, write) \
	X(RECV, recv) \
	X(SEND, send) \
	X(GETADDRINFO, getaddrinfo) \
	X(RESOLVER, resolver) \
	X(BIND, bind) \
	X(NSS, nss) \
	X(DISK, disk) \
	X(OPEN, open)

enum family {
#define X(UPPER, lower) FAMILY_##UPPER,
	FAMILIES(X)
#undef X
	FAMILY_COUNT
};

/* Error codes from -128 (EAI_*) to 255 (errno), one bit each. */
#define ERRSET_MIN (-128)
#define ERRSET_MAX 255
#define ERRSET_WORDS ((ERRSET_MAX - ERRSET_MIN + 1) / 64)

struct errset {
	uint64_t bits[ERRSET_WORDS];
	bool all;	/* `all`: every failure but the never_transient ones */
};

/* Failures that say the call can never work as made (a bad pointer,
 * descriptor or argument): `all` leaves them out; naming one retries it. */
bool never_transient(int code);

static inline bool errset_has(const struct errset *set, int code)
{
	if (set->all && !never_transient(code))
		return true;
	if (code < ERRSET_MIN || code > ERRSET_MAX)
		return false;
	unsigned bit = (unsigned)(code - ERRSET_MIN);
	return set->bits[bit / 64] >> (bit % 64) & 1;
}

static inline void errset_add(struct errset *set, int code)
{
	if (code < ERRSET_MIN || code > ERRSET_MAX)
		return;
	unsigned bit = (unsigned)(code - ERRSET_MIN);
	set->bits[bit / 64] |= (uint64_t)1 << (bit % 64);
}

#define SECONDS_UNSET (-1.0)	/* deadline, attempt_timeout not set */

/* What a retry may do on a non-blocking descriptor (key `nonblocking`).
 * PASS: never wait or sleep there (an event loop must not freeze).
 * WAIT: connect drives a non-blocking connect to its outcome and retries
 * it like a blocking one; only the connect family has such a wait. */
enum nonblocking_mode { NONBLOCKING_PASS, NONBLOCKING_WAIT };

/* Whose calls a budget counts (key `budget_scope`): this process's, or
 * every process's of the user on the host (the shared host table). */
enum budget_scope { BUDGET_SCOPE_PROCESS, BUDGET_SCOPE_HOST };

struct policy {
	int tries;		/* total calls; negative: until it works */
	double delay;		/* seconds before the first retry */
	double backoff;		/* multiplies the delay after each sleep */
	double jitter_min;	/* added after backoff; drawn from */
	double jitter_max;	/*   [jitter_min, jitter_max] */
	double min_delay;
	double max_delay;	/* DELAY_UNBOUNDED or >= min_delay */
	bool max_delay_builtin;	/* the built-in cap: it never caps below a
				 * delay or min_delay the user set above it
				 * (policy_cap_settle) */
	struct errset errors;
	/* Beyond kaioretry (config/beyond.h says what each means). */
	double deadline;	/* seconds per series, or SECONDS_UNSET */
	/* deadline is the built-in bound on the built-in tries=-1, not a
	 * choice of the user's: setting tries or deadline in any scope
	 * replaces it (policy_bound_chosen), so tries=-1 set by a user
	 * means "until it works". */
	bool deadline_builtin;
	double attempt_timeout;	/* connect only; or SECONDS_UNSET */
	struct ready_check ready;	/* connect only; READY_TCP: none */
	enum spread spread;
	double budget;		/* retries/first failures per 10 s; 0: off */
	double budget_min;	/* retries per second always allowed */
	enum budget_scope budget_scope;
	enum nonblocking_mode nonblocking;
	bool enabled;		/* false: this family passes through */
};

const char *family_name(enum family family);
/* A family that retries only when the configuration names it (`on`, or
 * a destination section of it): bind. */
bool family_opt_in(enum family family);
/* A family no configuration can make retry: disk (policy.c says why).
 * Naming it in `on`, a section or a variable is refused with
 * NEVER_RETRIED_WHY; `all` leaves it out. */
bool family_never_retried(enum family family);
#define NEVER_RETRIED_WHY                                                     \
	"disk calls (close, fsync, fdatasync, ftruncate) are never retried: " \
	"a failed close has already released the descriptor, and a failed "  \
	"fsync may have dropped the unwritten data, so a retry that "         \
	"succeeds would only hide the loss"
/* Family by lower-case name of `len` bytes; -1 when unknown. */
int family_by_name(const char *name, unsigned long len);

/* The built-in policy of a family: the shim's defaults (policy.c says
 * why they are not kaioretry's) and the family's transient error set. */
void policy_builtin(struct policy *policy, enum family family);

/* Once every source is applied: a built-in max_delay rises to the
 * policy's delay or min_delay when either is above it. */
void policy_cap_settle(struct policy *policy);

/* The delay after one that lasted `delay`, by the policy's delay rule
 * (common/delay.h). */
static inline double policy_next_delay(const struct policy *policy,
				       double delay, uint64_t *rng)
{
	const struct delay_rule rule = {
		.backoff = policy->backoff,
		.jitter_min = policy->jitter_min,
		.jitter_max = policy->jitter_max,
		.min_delay = policy->min_delay,
		.max_delay = policy->max_delay,
	};
	return delay_next(&rule, delay, rng);
}

/* The user set tries or deadline: the built-in deadline no longer
 * applies (a deadline they set is written after this). */
void policy_bound_chosen(struct policy *policy);

#endif
