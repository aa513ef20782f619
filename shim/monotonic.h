/* monotonic.h: CLOCK_MONOTONIC arithmetic: the instant `seconds` from
 * now, for absolute sleeps that signals cannot stretch, and the seconds
 * since an instant, for deadlines and the log. */
#ifndef KAIORETRY_MONOTONIC_H
#define KAIORETRY_MONOTONIC_H

#include <time.h>

/* `t` plus `seconds` (not negative). */
static inline struct timespec timespec_after(struct timespec t, double seconds)
{
	time_t whole = (time_t)seconds;
	t.tv_sec += whole;
	t.tv_nsec += (long)((seconds - (double)whole) * 1e9);
	if (t.tv_nsec >= 1000000000L)
		t.tv_sec++, t.tv_nsec -= 1000000000L;
	return t;
}

static inline struct timespec monotonic_in(double seconds)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return timespec_after(now, seconds);
}

static inline double monotonic_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

#endif
