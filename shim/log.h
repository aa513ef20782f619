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

#endif
