/* delay.c: kaioretry's delay update and the spread of each sleep, kept free of clocks and I/O so the
 * unit tests can check it against kaioretry's own sequences. */
#include "delay.h"

double rng_unit(uint64_t *rng)
{
	uint64_t x = *rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*rng = x;
	return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

double policy_next_delay(const struct policy *p, double delay, uint64_t *rng)
{
	double jitter = p->jitter_min;
	if (p->jitter_max > p->jitter_min)
		jitter += (p->jitter_max - p->jitter_min) * rng_unit(rng);
	double next = delay * p->backoff + jitter;
	if (p->max_delay != DELAY_UNBOUNDED && next > p->max_delay)
		next = p->max_delay;
	if (next < p->min_delay)
		next = p->min_delay;
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
