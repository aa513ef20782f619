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

/* A uniform draw in [0, 1) from a xorshift64* state (never 0). */
double rng_unit(uint64_t *rng);

#endif
