/* monotonic.h: CLOCK_MONOTONIC arithmetic: the instant `seconds` from
 * now, for absolute sleeps that signals cannot stretch, and the seconds
 * since an instant, for deadlines and the log. */
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

static inline double monotonic_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

#endif
