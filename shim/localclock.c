/* localclock.c: local time for log records, from the zone read once.
 *
 * On first need (the first record, or before the program can run a
 * signal handler or chroot: hooks.c) we read the zone exactly as glibc
 * would (tzfile.c, tzrule.c: one file read with raw syscalls, no
 * malloc, no clock read).  A record then evaluates the zone at its own
 * time: no lock, no file, safe in a signal handler or after a chroot,
 * and right across every DST switch of a long-running daemon.
 *
 * Otherwise (AT_SECURE, a version 1 or leap-second file, a TZ string
 * glibc completes from "posixrules", anything odd) we ask localtime_r
 * then, probing week by week over the next two years and bisecting
 * each change to the second: some 60,000 instructions, and beyond the
 * table the last offset holds. */
#include "localclock.h"

#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"
#include "tzfile.h"

#define CHANGES_MAX 8
#define WEEK (7 * 86400L)
#define HORIZON (2 * 366 * 86400L)

struct offset_change {
	int64_t from;		/* UTC seconds */
	long offset;		/* seconds east of UTC from then on */
};

static struct offset_change changes[CHANGES_MAX];
static int change_count;
static long initial_offset;
static enum localclock_source source;

static long offset_at(time_t t)
{
	struct tm tm;
	return localtime_r(&t, &tm) ? tm.tm_gmtoff : 0;
}

static void probe_localtime(time_t now)
{
	guard_enter();	/* tzset may read /etc/localtime */
	long offset = initial_offset = offset_at(now);
	for (time_t t = now; t < now + HORIZON && change_count < CHANGES_MAX;) {
		time_t next = t + WEEK;
		if (offset_at(next) == offset) {
			t = next;
			continue;
		}
		time_t before = t, after = next;	/* old offset at before */
		while (after - before > 1) {
			time_t mid = before + (after - before) / 2;
			if (offset_at(mid) == offset)
				before = mid;
			else
				after = mid;
		}
		offset = offset_at(after);
		changes[change_count++] = (struct offset_change){ after, offset };
		t = after;
	}
	guard_leave();
}

/* The zone as glibc would read it: a file, or a POSIX TZ string. */
struct zone {
	bool is_file;
	struct tzfile file;
	struct tzrule rule;
};

static bool zone_read(struct zone *z)
{
	if (getauxval(AT_SECURE))
		return false;	/* glibc restricts TZ there; let it */
	const char *tz = getenv("TZ");
	switch (tzfile_read(&z->file, tz, getenv("TZDIR"))) {
	case TZFILE_OK:
		z->is_file = true;
		return true;
	case TZFILE_ABSENT:
		if (!tz)
			return false;
		tz += *tz == ':';
		z->is_file = false;
		return *tz && tzrule_parse(tz, (long)strlen(tz), &z->rule);
	default:
		return false;
	}
}

static struct zone zone;	/* read once, then only read */

static long zone_offset_at(const struct zone *z, int64_t t)
{
	return z->is_file ? tzfile_offset_at(&z->file, t)
			  : tzrule_offset_at(&z->rule, t);
}

void localclock_init(void)
{
	change_count = 0;
	if (zone_read(&zone)) {
		source = LOCALCLOCK_ZONE;
	} else {
		source = LOCALCLOCK_LOCALTIME;
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		probe_localtime(now.tv_sec);
	}
}

enum localclock_source localclock_source(void)
{
	return source;
}

int64_t localclock_at(int64_t utc)
{
	if (source == LOCALCLOCK_ZONE)
		return utc + zone_offset_at(&zone, utc);
	long offset = initial_offset;
	for (int i = 0; i < change_count && utc >= changes[i].from; i++)
		offset = changes[i].offset;
	return utc + offset;
}

/* Read on first need, by whichever thread gets there first: 0 until
 * then, the reader's pid while it reads (a child forked meanwhile
 * reads for itself), ZONE_READ after. */
#define ZONE_READ (-1)
static int zone_state;

static bool zone_ready(void)
{
	return __atomic_load_n(&zone_state, __ATOMIC_ACQUIRE) == ZONE_READ;
}

static bool take_the_reading(void)
{
	int me = (int)getpid();
	int seen = __atomic_load_n(&zone_state, __ATOMIC_ACQUIRE);
	if (seen == ZONE_READ || seen == me)
		return false;
	return __atomic_compare_exchange_n(&zone_state, &seen, me, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void localclock_ready(void)
{
	if (zone_ready())
		return;
	if (take_the_reading()) {
		localclock_init();
		__atomic_store_n(&zone_state, ZONE_READ, __ATOMIC_RELEASE);
		return;
	}
	/* Another thread is reading it, a few system calls: wait for it,
	 * but only so long, as that may be this very thread, interrupted
	 * by a handler installed behind libc's back. */
	const struct timespec pause = { 0, 100000 };
	for (int i = 0; i < 100 && !zone_ready(); i++)
		nanosleep(&pause, NULL);
}

int64_t localclock_now(void)
{
	struct timespec now;
	localclock_ready();
	clock_gettime(CLOCK_REALTIME, &now);
	/* Still unread after the wait: UTC, rather than no record. */
	return zone_ready() ? localclock_at((int64_t)now.tv_sec) : now.tv_sec;
}
