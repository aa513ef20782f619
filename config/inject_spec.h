/* inject_spec.h: fault injection rules, and the pure parser that turns
 * a spec such as "connect:error=ECONNREFUSED:when=1..2;getaddrinfo:
 * error=EAI_AGAIN:p=0.3" into them (strace's -e inject syntax).
 *
 * The parser reads only its input: no environment, no allocation, no
 * locale, so the unit tests and a fuzzer can call it directly. */
#ifndef KAIORETRY_INJECT_SPEC_H
#define KAIORETRY_INJECT_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define INJECT_RULES_MAX 16
#define INJECT_ERRORS_MAX 8
#define INJECT_RULE_TEXT_MAX 96
#define INJECT_HOST_MAX 128
#define INJECT_PATH_MAX 256
#define INJECT_WHY_MAX 200
#define INJECT_REPORT_MAX 256
#define INJECT_WHEN_OPEN UINT64_MAX	/* "N+": no last call */
#define INJECT_AT_OPEN UINT64_MAX	/* "at=START..": no end */

/* The wrapped calls, numbered in calls.def order. */
enum inject_call_id {
#define CALL(name, ...) INJECT_CALL_##name,
#include "../common/calls.def"
#undef CALL
	INJECT_CALL_COUNT
};

/* The readiness check (key `ready`) counts as a call of its own for the
 * rules, named `ready`: error= fails a check (not ready), delay= slows
 * it.  Its bit follows the calls'. */
#define INJECT_READY_CHECK INJECT_CALL_COUNT

/* A set of calls and the check, a bit per inject_call_id: more than 64
 * names, so words of them. */
#define INJECT_CALL_WORDS (INJECT_READY_CHECK / 64 + 1)
struct inject_calls {
	uint64_t bits[INJECT_CALL_WORDS];
};

static inline bool inject_calls_has(const struct inject_calls *set,
				    unsigned id)
{
	return set->bits[id / 64] >> (id % 64) & 1;
}

static inline void inject_calls_add(struct inject_calls *set, unsigned id)
{
	set->bits[id / 64] |= (uint64_t)1 << (id % 64);
}

static inline void inject_calls_join(struct inject_calls *set,
				     const struct inject_calls *more)
{
	for (int w = 0; w < INJECT_CALL_WORDS; w++)
		set->bits[w] |= more->bits[w];
}

static inline bool inject_calls_any(const struct inject_calls *set)
{
	for (int w = 0; w < INJECT_CALL_WORDS; w++)
		if (set->bits[w])
			return true;
	return false;
}

struct inject_rule {
	struct inject_calls calls;
	enum family family;		/* of those calls */

	/* actions: at least one */
	int errors[INJECT_ERRORS_MAX];	/* errno (> 0) or EAI_* (< 0) */
	int error_count;
	double delay;			/* seconds before the real call */
	double delay_max;		/* delay=A..B: drawn up to B per call */
	uint64_t short_bytes;		/* 0: no short= */
	double hang;			/* seconds blocked, then error (0: no) */
	uint64_t limit;			/* bytes per descriptor, then error */
	uint64_t rate;			/* bytes per second per descriptor */

	/* conditions: calls number first, first+step, ... <= last */
	uint64_t when_first, when_last, when_step;
	uint64_t at_from_ns, at_until_ns;	/* since start; until open */
	double p;			/* 1: every selected call */
	int addr_family;		/* AF_INET, AF_INET6 or 0: any */
	uint8_t addr[16];
	uint16_t port;			/* host order, 0: any */
	char host[INJECT_HOST_MAX];	/* glob, "" for any */
	char path[INJECT_PATH_MAX];	/* glob, "" for any: the file a
					 * descriptor refers to, or that
					 * an open names */

	char text[INJECT_RULE_TEXT_MAX];	/* as written, for the log */
};

struct inject_spec {
	int count;			/* 0: no rules */
	bool control;			/* "control": on for kaioretry fault */
	uint64_t seed;
	bool seed_given;
	char report[INJECT_REPORT_MAX];	/* JSON report path, "": none */
	struct inject_rule rule[INJECT_RULES_MAX];	/* below count */
};

/* Parses `text` (len bytes) into spec->rule / spec->count, leaving the
 * seed alone; the word "control" among the rules sets spec->control
 * (run-time control, `kaioretry fault`).  Returns true, or false with a message in why (such as
 * "rule 2 'conect:error=EIO': unknown call 'conect' ...") and spec's
 * rules untouched. */
bool inject_parse(const char *text, size_t len, struct inject_spec *spec,
		  char why[INJECT_WHY_MAX]);

/* A seed: a whole number from 0 to 2^64-1.  NULL, or why not. */
const char *inject_parse_seed(const char *text, size_t len, uint64_t *seed);

/* The name of a call ("readv"), by id. */
const char *inject_call_name(enum inject_call_id id);

/* Whether a rule selects its n-th matching call (n counts from 1) by
 * its when= alone. */
static inline bool inject_when_selects(const struct inject_rule *r,
				       uint64_t n)
{
	if (n < r->when_first || n > r->when_last)
		return false;
	return r->when_step == 0 ? true : (n - r->when_first) % r->when_step == 0;
}

#endif
