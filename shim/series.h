/* series.h: one retry series, from the first failure of a wrapped call
 * to its final result.  A wrapper that saw a failure does:
 *
 *	if (!series_begin(&s, ...)) return first_result;
 *	while (series_retry(&s)) {
 *		r = call again;
 *		series_attempted(&s, failed ? code : 0);
 *		if (!failed) break;
 *	}
 *	series_end(&s);
 *
 * Everything lives on the caller's stack: series in different threads
 * share nothing. */
#ifndef KAIORETRY_SERIES_H
#define KAIORETRY_SERIES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "../config/config.h"
#include "target.h"

struct hosttable_slot;

/* Why a series stopped before its tries ran out, for the log. */
enum series_stop { STOP_NONE, STOP_DEADLINE, STOP_BUDGET, STOP_NO_SLEEP };

/* A series' identity as text: a version 4 UUID, 32 hex digits in
 * groups of 8-4-4-4-12, and the NUL. */
#define SERIES_UUID_TEXT (32 + 4 + 1)

struct series {
	const char *call;		/* "connect" */
	const struct policy *policy;
	const struct log_settings *log;
	enum family family;
	int first_code;
	int last_code;			/* errno, EAI_* (< 0), or 0: success */
	int errno_after;		/* errno as the last real call left it */
	uint64_t calls;			/* real calls made so far */
	double delay;			/* kaioretry's next delay */
	double sleep;			/* the next (then last) sleep, spread */
	struct timespec started;	/* CLOCK_MONOTONIC (monotonic.h) */
	uint64_t rng;
	unsigned signal_mark;
	bool interrupted;		/* a non-restarting signal handler ran */
	enum series_stop stop;
	bool quiet;			/* logged in one line already */
	bool in_progress;		/* the last try was a non-blocking connect
					   that said EINPROGRESS (wait mode) */
	char uuid[SERIES_UUID_TEXT];
	struct target target;		/* named when logged */
	uint64_t lines_left_out;	/* sampled away, see log.c */
	uint64_t records_dropped;	/* the sink could not take them */
	struct hosttable_slot *slot;	/* its counters in the host table,
					   or NULL (hosttable.h) */
	bool slot_sought;		/* the table was there to look in */
};

/* addr (connect) or node (getaddrinfo) choose a destination section. */
bool series_begin(struct series *s, enum family family, const char *call,
		  int code, int fd, int msg_flags, const struct sockaddr *addr,
		  socklen_t addr_len, const char *node);
bool series_retry(struct series *s);
void series_attempted(struct series *s, int code);
void series_end(struct series *s);

/* The program jumps (longjmp) from this thread: a series interrupted
 * by the handler that jumps is left for good, and so is its guard. */
void series_left_by_jump(void);

/* Whether a first failure with `code` would start a series (the fault
 * injector logs the faults that would not). */
bool series_wanted(enum family family, int code, int fd, int msg_flags);

#endif
