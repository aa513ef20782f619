/* delay.c: the delay rule and the spread of each sleep (see delay.h).
 * Every random draw comes from rng.h, so a generator state gives the
 * same sleeps on every run. */
#include "delay.h"

#include "rng.h"

double delay_next(const struct delay_rule *rule, double delay, uint64_t *rng)
{
	double jitter = rule->jitter_min;
	if (rule->jitter_max > rule->jitter_min)
		jitter += (rule->jitter_max - rule->jitter_min) * rng_unit(rng);
	double next = delay * rule->backoff + jitter;
	if (rule->max_delay != DELAY_UNBOUNDED && next > rule->max_delay)
		next = rule->max_delay;
	if (next < rule->min_delay)
		next = rule->min_delay;
	return next < 0 ? 0 : next;
}

/* Decorrelated draws from [delay, 3 * previous]; backoff above 3 can
 * put 3 * previous below delay, and then the sleep is delay. */
static double decorrelated_high(double delay, double previous)
{
	double high = 3 * previous;
	return high < delay ? delay : high;
}

static double capped(double seconds, double max_delay)
{
	if (max_delay != DELAY_UNBOUNDED && seconds > max_delay)
		return max_delay;
	return seconds;
}

double spread_sleep(enum spread spread, double delay, double previous,
		    double max_delay, uint64_t *rng)
{
	switch (spread) {
	case SPREAD_FULL:
		return delay * rng_unit(rng);
	case SPREAD_EQUAL:
		return delay / 2 + delay / 2 * rng_unit(rng);
	case SPREAD_DECORRELATED: {
		double high = decorrelated_high(delay, previous);
		return capped(delay + (high - delay) * rng_unit(rng), max_delay);
	}
	default:
		return delay;
	}
}

void spread_range(enum spread spread, double delay, double previous,
		  double max_delay, double *lo, double *hi)
{
	*lo = *hi = delay;
	if (spread == SPREAD_FULL)
		*lo = 0;
	else if (spread == SPREAD_EQUAL)
		*lo = delay / 2;
	else if (spread == SPREAD_DECORRELATED)
		*hi = capped(decorrelated_high(delay, previous), max_delay);
}
