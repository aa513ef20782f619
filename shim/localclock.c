/* localclock.c: local time for log records from a table built once.
 *
 * At start-up we find the UTC offset now and every change of it over
 * the next two years.  A record then only reads the table: no lock, no
 * file, safe in a signal handler, and still right after a DST switch in
 * a long-running daemon.  Beyond the table the last offset holds.
 *
 * The table comes from the zone itself when we can read it exactly as
 * glibc would (tzfile.c, tzrule.c: a few thousand instructions, one
 * file read with raw syscalls, no malloc).  Otherwise (AT_SECURE, a
 * version 1 or leap-second file, a TZ string glibc completes from
 * "posixrules", anything odd) we ask localtime_r, probing week by week
 * and bisecting each change to the second, which costs some 60,000
 * instructions and misses two changes within one week, which no zone
 * makes.  Built at start-up, never later: a series may start in a
 * signal handler or after the program chrooted. */
#include "localclock.h"

#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>

#include "guard.h"
#include "tzfile.h"

#define CHANGES_MAX 8
#define BREAKS_MAX 64
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

static long zone_offset_at(const struct zone *z, int64_t t)
{
	return z->is_file ? tzfile_offset_at(&z->file, t)
			  : tzrule_offset_at(&z->rule, t);
}

/* The offset is constant between breaks, so evaluating it at each one,
 * in order, gives every change. */
static bool tabulate(const struct zone *z, int64_t now)
{
	int64_t at[BREAKS_MAX];
	int n = z->is_file ? tzfile_breaks(&z->file, now + 1, now + HORIZON,
					   at, BREAKS_MAX)
			   : tzrule_breaks(&z->rule, now + 1, now + HORIZON,
					   at, BREAKS_MAX);
	if (n == BREAKS_MAX)
		return false;	/* a zone we do not expect: ask glibc */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && at[j - 1] > at[j]; j--) {
			int64_t t = at[j];
			at[j] = at[j - 1];
			at[j - 1] = t;
		}
	long offset = initial_offset = zone_offset_at(z, now);
	for (int i = 0; i < n && change_count < CHANGES_MAX; i++) {
		long next = zone_offset_at(z, at[i]);
		if (next != offset)
			changes[change_count++] =
				(struct offset_change){ at[i], offset = next };
	}
	return true;
}

void localclock_init(void)
{
	struct zone z;
	time_t now = time(NULL);
	change_count = 0;
	if (zone_read(&z) && tabulate(&z, now)) {
		source = LOCALCLOCK_ZONE;
	} else {
		change_count = 0;
		source = LOCALCLOCK_LOCALTIME;
		probe_localtime(now);
	}
}

enum localclock_source localclock_source(void)
{
	return source;
}

int64_t localclock_at(int64_t utc)
{
	long offset = initial_offset;
	for (int i = 0; i < change_count && utc >= changes[i].from; i++)
		offset = changes[i].offset;
	return utc + offset;
}

int64_t localclock_now(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return localclock_at((int64_t)now.tv_sec);
}
