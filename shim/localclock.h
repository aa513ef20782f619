/* localclock.h: local wall-clock time for log records, without calling
 * localtime() (it takes glibc's tz lock, which a handler may interrupt
 * and a fork child may inherit held, and it may read files). */
#ifndef KAIORETRY_LOCALCLOCK_H
#define KAIORETRY_LOCALCLOCK_H

#include <stdint.h>

/* Reads the zone as glibc would (no clock read, no lock, no malloc,
 * never blocking); again at each call. */
void localclock_init(void);

/* localclock_init once, on first need: the first record, or before the
 * program can run a signal handler or chroot (hooks.c).  Thread-safe;
 * errno is left as it was. */
void localclock_ready(void);

/* The zone read as glibc reads it, or one we cannot follow (a FIFO or
 * device as TZ, a file too big, data glibc reads past): UTC then, and
 * records say so. */
enum localclock_source { LOCALCLOCK_ZONE, LOCALCLOCK_UTC_UNREAD };
enum localclock_source localclock_source(void);

/* Seconds since the epoch, shifted to local time: now, or at `utc`. */
int64_t localclock_now(void);
int64_t localclock_at(int64_t utc);

#endif
