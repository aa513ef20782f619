/* inject.h: fault injection beneath the retry loop.
 *
 * With rules configured, the constructor points `attempt.X` at an
 * injector for every call a rule names (inject_calls.c), so each real
 * attempt, the program's first one and every retry, can be failed,
 * delayed or shortened.  Without rules nothing is installed and the
 * wrappers never come here. */
#ifndef KAIORETRY_INJECT_H
#define KAIORETRY_INJECT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../common/text.h"
#include "../config/config.h"

/* inject_calls.c: when cfg has rules, turns injection on
 * (inject_begin) and points attempt.X at the injector of every call a
 * rule names (cfg may be NULL). */
void inject_start(const struct config *cfg);

/* Turns injection on when cfg has rules or asks for run-time control:
 * the seed, the rules in force (inject_rules.h), the line that says so;
 * adds every call to *calls (a rule may be added to any at run time).
 * False: injection stays off. */
bool inject_begin(const struct config *cfg, struct inject_calls *calls);

/* What a call is aimed at, for the rules' filters. */
struct inject_subject {
	enum inject_call_id id;
	const struct sockaddr *addr;	/* connect, sendto, sendmsg */
	socklen_t addr_len;
	const char *host;		/* getaddrinfo's node */
	int fd;				/* a descriptor's call, else -1 */
	const char *path;		/* the program's path (an open's),
					 * unread; NULL: the fd's file */
};

/* What to do to one call. */
struct inject_decision {
	int rule;			/* index, -1: nothing */
	uint64_t number;		/* the call's number for that rule */
	int error;			/* 0 or the code to fail with */
	double delay;			/* delay= or hang= */
	uint64_t short_bytes;		/* short=, or what limit=/rate= allow */
	uint64_t limit, rate;		/* limit=, rate= (inject_toxics.c) */
	int limit_error;		/* what limit= fails with */
};

/* Counts the call for every rule it matches and decides.  Clears this
 * thread's note of an injected fault (log.h).  False: leave the call
 * alone.  A rule with path= reads the subject's path, and only then:
 * the program's string, or what /proc/self/fd/N links to. */
bool inject_decide(const struct inject_subject *subject,
		   struct inject_decision *d);
/* Sleeps a rule's delay= in full. */
void inject_sleep(double seconds);
/* Records that the call was shortened, for the summary. */
void inject_shortened(const struct inject_decision *d);
/* Records a failed call: counts it, notes it for the series log
 * (log.h), and when no retry series will log it (tries=1, an error
 * outside the policy), logs it now, naming `target`. */
void inject_failed(const struct inject_decision *d, const char *call,
		   enum family family, int fd, int msg_flags,
		   const struct text *target);

/* Each rule's counts so far. */
struct inject_stats {
	uint64_t matched, failed, delayed, shortened;
};
struct inject_stats inject_stats_of(int rule);
/* Whether injection is on. */
bool inject_on(void);
/* The configuration injection runs with (NULL: off), and its seed. */
const struct config *inject_active(uint64_t *seed);

/* inject_report.c: makes the report's path absolute, while the working
 * directory is the one it was given in; at exit the report is written. */
void inject_report_start(const struct config *cfg);

/* Calls the injector makes into libc that libc makes calls of its own
 * from (NSS inside getaddrinfo) are not the program's: no rule counts
 * them. */
void inject_nested_enter(void);
void inject_nested_leave(void);

/* A readiness check the decision `d` fails: counts it, and appends
 * "injected by rule 1 'ready:error=ECONNREFUSED', check #2" to t. */
void inject_check_failed(const struct inject_decision *d, struct text *t);

#endif
