/* delay.h: kaioretry's delay rule and the spread of each sleep, as pure
 * functions of their arguments (no clock, no I/O, no state but the
 * caller's generator), so the shim's retry series and kaioretry-config's
 * forecast compute the same sleeps, and the unit tests can check them
 * against kaioretry's own sequences.  config/policy.h holds these values
 * in a policy and applies the rule to one (policy_next_delay). */
#ifndef KAIORETRY_DELAY_H
#define KAIORETRY_DELAY_H

#include <stdint.h>

#define DELAY_UNBOUNDED (-1.0)	/* max_delay unset: kaioretry's None */

/* How each sleep is drawn around kaioretry's delay (AWS "Exponential
 * Backoff And Jitter"); see spread_sleep. */
enum spread { SPREAD_NONE, SPREAD_FULL, SPREAD_EQUAL, SPREAD_DECORRELATED };

/* What the rule reads of a policy. */
struct delay_rule {
	double backoff;		/* multiplies the delay after each sleep */
	double jitter_min;	/* added after backoff; drawn from */
	double jitter_max;	/*   [jitter_min, jitter_max] */
	double min_delay;
	double max_delay;	/* DELAY_UNBOUNDED or >= min_delay */
};

/* The delay after one that lasted `delay`: delay * backoff + jitter,
 * capped at max_delay, raised to min_delay, never below 0.  A jitter
 * range draws from *rng (rng.h). */
double delay_next(const struct delay_rule *rule, double delay, uint64_t *rng);

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

#endif
