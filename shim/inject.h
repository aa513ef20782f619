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

/* Installs the injectors when cfg has rules (cfg may be NULL). */
void inject_start(const struct config *cfg);

/* What a call is aimed at, for the rules' filters. */
struct inject_subject {
	enum inject_call_id id;
	const struct sockaddr *addr;	/* connect, sendto, sendmsg */
	socklen_t addr_len;
	const char *host;		/* getaddrinfo's node */
};

/* What to do to one call. */
struct inject_decision {
	int rule;			/* index, -1: nothing */
	uint64_t number;		/* the call's number for that rule */
	int error;			/* 0 or the code to fail with */
	double delay;
	uint64_t short_bytes;
};

/* Counts the call for every rule it matches and decides.  Clears this
 * thread's note of an injected fault.  False: leave the call alone. */
bool inject_decide(const struct inject_subject *subject,
		   struct inject_decision *d);
/* Sleeps a rule's delay= in full. */
void inject_sleep(double seconds);
/* Records that the call was shortened, for the summary. */
void inject_shortened(const struct inject_decision *d);
/* Records a failed call: counts it, notes it for the series log, and
 * when no retry series will log it (tries=1, an error outside the
 * policy), logs it now, naming `target`. */
void inject_failed(const struct inject_decision *d, const char *call,
		   enum family family, int fd, int msg_flags,
		   const struct text *target);

/* Calls the injector makes into libc that libc makes calls of its own
 * from (NSS inside getaddrinfo) are not the program's: no rule counts
 * them. */
void inject_nested_enter(void);
void inject_nested_leave(void);

/* For the series log: whether the last attempt of `call` on this thread
 * was an injected fault, and the mark that says so:
 * " (injected by rule 1 'connect:error=ECONNREFUSED', call #2)". */
bool inject_noted(const char *call);
void inject_mark(struct text *t, const char *call);

/* A readiness check the decision `d` fails: counts it, and appends
 * "injected by rule 1 'ready:error=ECONNREFUSED', check #2" to t. */
void inject_check_failed(const struct inject_decision *d, struct text *t);

/* inject_calls.c: points attempt.X at the injector of every call in
 * `calls` (a bit per inject_call_id). */
void inject_install(uint64_t calls);

#endif
