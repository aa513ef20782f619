/* beyond.h: the keys that go beyond kaioretry's parameters, and what
 * their values may be.
 *
 *   deadline         seconds per series; no sleep may end past it
 *                    ("stop before"); none: unset (the default)
 *   attempt_timeout  connect only: each attempt is cut off after this
 *                    many seconds as ETIMEDOUT; none: unset
 *   spread           none, full, equal or decorrelated: how each sleep
 *                    is drawn around kaioretry's delay (common/delay.h)
 *   budget           retries may add at most this fraction of calls
 *                    over a 10 s window (0.2 or 20%); 0 or off: no budget
 *   budget_min       retries per second always allowed on top (10/s)
 *   budget_scope     process (the default) or host: every process of the
 *                    user shares one budget through the host table
 *
 * The parsers follow values.h: NULL, or why the text was refused. */
#ifndef KAIORETRY_BEYOND_H
#define KAIORETRY_BEYOND_H

#include <stddef.h>

#include "policy.h"

#define BUDGET_MAX 10.0		/* 1000%: above that, no budget at all */
#define RATE_MAX 1000000.0

/* Seconds > 0, or none/off for SECONDS_UNSET. */
const char *parse_limit(const char *text, size_t len, double *seconds);
const char *parse_spread(const char *text, size_t len, enum spread *spread);
/* A fraction (0.2) or a percentage (20%); 0 or off turns it off. */
const char *parse_budget(const char *text, size_t len, double *fraction);
/* Per second: 10/s or 10. */
const char *parse_rate(const char *text, size_t len, double *per_second);

const char *parse_budget_scope(const char *text, size_t len,
			       enum budget_scope *scope);

const char *spread_name(enum spread spread);
const char *budget_scope_name(enum budget_scope scope);

#endif
