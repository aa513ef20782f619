/* localclock.c: local time for log records from a table built once.
 *
 * At start-up we ask localtime_r for the UTC offset now and find every
 * change of it (daylight saving) over the next two years: probing week
 * by week, then bisecting each change to the second.  A record then only
 * reads the table: no lock, no file, safe in a signal handler, and still
 * right after a DST switch in a long-running daemon.  Beyond the table
 * the last offset holds; two changes within one week would be missed,
 * which no zone does. */
#include "localclock.h"

#include <time.h>

#include "guard.h"

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

static long offset_at(time_t t)
{
	struct tm tm;
	return localtime_r(&t, &tm) ? tm.tm_gmtoff : 0;
}

void localclock_init(void)
{
	guard_enter();	/* tzset may read /etc/localtime */
	time_t now = time(NULL);
	long offset = initial_offset = offset_at(now);
	change_count = 0;
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
