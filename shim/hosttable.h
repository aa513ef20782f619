/* hosttable.h: publishing this process's retry series into the user's
 * host table (common/hosttable.h), which `kaioretry stats` and
 * `kaioretry top` read, and lending its budget words to
 * `budget_scope = host`.
 *
 * Only the failure path comes here: the first series of the process
 * maps the table (once; a table that cannot be had is never asked for
 * again), each series finds or claims the slot of its program, family
 * and destination, and its events add to the slot's counters with
 * atomic adds.  A process without a table retries exactly the same. */
#ifndef KAIORETRY_HOSTTABLE_H
#define KAIORETRY_HOSTTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "series.h"

/* Maps the table the configuration names, the first time only.  Called
 * with the guard held, when a series begins. */
void hosttable_open(const struct config *cfg);

/* The budget window words of `family` in the table (ten of them), or
 * NULL when this process has no table. */
uint64_t *hosttable_budget_window(enum family family);

/* Series events.  started: its first retry is about to be decided (the
 * target is known by then); attempted: a real call after the first
 * was made; ended: it is over.  `injected`: the fault injector made
 * the call fail. */
void hosttable_started(struct series *s, bool injected);
void hosttable_attempted(struct series *s, bool injected);
void hosttable_ended(struct series *s);

#endif
