/* delay.h: kaioretry's delay rule, as a pure function. */
#ifndef KAIORETRY_DELAY_H
#define KAIORETRY_DELAY_H

#include <stdint.h>

#include "../config/policy.h"

/* The delay after one that lasted `delay`: delay * backoff + jitter,
 * capped at max_delay, raised to min_delay, never below 0.  A jitter
 * range draws from *rng. */
double policy_next_delay(const struct policy *policy, double delay,
			 uint64_t *rng);

/* The sleep taken for kaioretry's delay `delay` under `spread`, with the
 * formulas of AWS's "Exponential Backoff And Jitter", kaioretry's delay
 * sequence standing in for min(cap, base * 2^attempt):
 *   none          delay
 *   full          uniform(0, delay)
 *   equal         delay/2 + uniform(0, delay/2)
 *   decorrelated  min(max_delay, uniform(delay, 3 * previous)), where
 *                 previous is the last sleep (the configured delay
 *                 before the first); with backoff 1 that is AWS's
 *                 min(cap, uniform(base, 3 * sleep)) exactly.
 * spread_range gives the interval a sleep can fall in. */
double spread_sleep(enum spread spread, double delay, double previous,
		    double max_delay, uint64_t *rng);
void spread_range(enum spread spread, double delay, double previous,
		  double max_delay, double *lo, double *hi);

/* A uniform draw in [0, 1) from a xorshift64* state (never 0). */
double rng_unit(uint64_t *rng);

#endif
