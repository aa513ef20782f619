/* delay.c: kaioretry's delay update, kept free of clocks and I/O so the
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
