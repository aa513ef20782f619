/* log.h: the retry series log, in kaioretry's words.
 *
 * A long series is sampled: the first tries are logged one by one, then
 * only tries 10, 100, 1000, ..., and the final line says how many lines
 * were left out, so `tries=-1` against a dead port cannot flood syslog. */
#ifndef KAIORETRY_LOG_H
#define KAIORETRY_LOG_H

#include "../config/config.h"
#include "series.h"

void log_first_failure(struct series *s);
void log_new_failure(struct series *s);
void log_waiting(struct series *s);
void log_outcome(struct series *s);
/* The first retry was refused by the retry budget; one line says so. */
void log_budget_refused(struct series *s, uint64_t also_refused);

/* A configuration problem, at start-up: to the log and to stderr. */
void log_problem(const struct log_settings *log, const char *message);

/* The fault injector's records (inject.c) are built from the same
 * parts as a series' records. */

/* Starts a line: the program's name and ": ". */
void log_line_begin(struct text *t);
/* "ECONNREFUSED (Connection refused)"; "error N (...)" for a code
 * without a name. */
void log_error_text(struct text *t, int code);
/* "rule 1 'connect:error=ECONNREFUSED'" */
void log_rule_name(struct text *t, int rule, const char *rule_text);
/* Sends a finished line when `log` takes `severity`. */
void log_send(const struct log_settings *log, int severity,
	      const struct text *line);

/* The injector notes each fault it injects, and clears the note before
 * each attempt, so the records of the attempt's call (on this thread)
 * end with " (injected by rule 1 '...', call #2)". */
void log_note_fault(const char *call, int rule, const char *rule_text,
		    uint64_t number);
void log_clear_fault(void);
/* Whether this thread's last attempt of `call` was an injected fault. */
bool log_fault_injected(const char *call);
/* An injected fault no series will log: "connect(...) failed: ...
 * (injected by ...); not retried", `target` as the log names it. */
void log_fault_not_retried(const struct log_settings *log, const char *call,
			   const struct text *target, int code);

#endif
