/* localclock.h: local wall-clock time for log records, without calling
 * localtime() on the retry path (it takes glibc's tz lock and may read
 * files, and a retry may run in a signal handler). */
#ifndef KAIORETRY_LOCALCLOCK_H
#define KAIORETRY_LOCALCLOCK_H

#include <stdint.h>

/* Reads the zone (no clock read), or, for a zone only glibc follows,
 * tabulates its offsets over the next two years; again at each call. */
void localclock_init(void);

/* localclock_init once, on first need: the first record, or before the
 * program can run a signal handler or chroot (hooks.c).  Thread-safe. */
void localclock_ready(void);

/* Where the table came from: the zone read directly, or localtime_r. */
enum localclock_source { LOCALCLOCK_ZONE, LOCALCLOCK_LOCALTIME };
enum localclock_source localclock_source(void);

/* Seconds since the epoch, shifted to local time: now, or at `utc`
 * (for a tabulated zone, within the two years after localclock_init). */
int64_t localclock_now(void);
int64_t localclock_at(int64_t utc);

#endif
