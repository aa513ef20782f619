/* monotonic.h: the CLOCK_MONOTONIC instant `seconds` from now, for
 * absolute sleeps that signals cannot stretch. */
#ifndef KAIORETRY_MONOTONIC_H
#define KAIORETRY_MONOTONIC_H

#include <time.h>

static inline struct timespec monotonic_in(double seconds)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	time_t whole = (time_t)seconds;
	until.tv_sec += whole;
	until.tv_nsec += (long)((seconds - (double)whole) * 1e9);
	if (until.tv_nsec >= 1000000000L)
		until.tv_sec++, until.tv_nsec -= 1000000000L;
	return until;
}

#endif
