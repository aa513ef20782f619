/* localclock.c: local time for log records, from the zone read once.
 *
 * On first need (the first record, or before the program can run a
 * signal handler or chroot: hooks.c) we read the zone exactly as
 * glibc's tzset would (tzfile.c, tzrule.c): TZ, or /etc/localtime; a
 * file, else a POSIX string; a string with a daylight name and no rules
 * takes them from "posixrules", else the US rules; AT_SECURE limits
 * which files may be read.  No localtime_r, no malloc, no stdio, no
 * lock: this may run in the child of a multithreaded parent that forked
 * while another thread held glibc's tz lock.  A record then evaluates
 * the zone at its own time: safe in a signal handler or after a chroot,
 * and right across every DST switch of a long-running daemon.
 *
 * A zone we cannot follow (tzfile.h's TZFILE_UNSURE, a string glibc
 * would evaluate past its tables) gives UTC, and the records say so.
 * Built for musl, which names its zone by other rules, zone_read
 * follows musl's (the files and strings are then read the same way). */
#include "localclock.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

#include "tzfile.h"

/* The zone as glibc would read it: a file, or a POSIX TZ string. */
struct zone {
	bool is_file;
	struct tzfile file;
	struct tzrule rule;
};

static struct zone zone;	/* read once, then only read */
static enum localclock_source source;

#define DEFAULT_ZONE "/etc/localtime"

/* Whether the zone file's verdict `r` settles the zone; *ok is the
 * answer then: read (OK) or unknown (UNSURE).  UNUSED leaves it to TZ
 * as a rule. */
static bool file_settles(struct zone *z, enum tzfile_result r, bool *ok)
{
	if (r == TZFILE_UNUSED)
		return false;
	z->is_file = r == TZFILE_OK;
	*ok = z->is_file;
	return true;
}

#ifdef __GLIBC__
/* A POSIX string (tzset.c's __tzset_parse_tz), posixrules included. */
static bool rule_read(struct zone *z, const char *tz, const char *tzdir,
		      bool secure)
{
	z->is_file = false;
	if (!tzrule_parse(tz, (long)strlen(tz), &z->rule))
		return false;
	if (!z->rule.rules_from_file)
		return true;
	switch (tzfile_read(&z->file, "posixrules", tzdir, secure)) {
	case TZFILE_OK:
		break;
	case TZFILE_UNUSED:
		return true;		/* the US rules, already in z->rule */
	case TZFILE_UNSURE:
		return false;
	}
	switch (tzfile_use_for(&z->file, z->rule.offset[0], z->rule.offset[1])) {
	case TZFILE_OK:
		z->is_file = true;
		return true;
	case TZFILE_UNUSED:
		return true;
	case TZFILE_UNSURE:
		break;
	}
	return false;
}

/* tzset.c's tzset_internal: false when we cannot follow it. */
static bool zone_read(struct zone *z)
{
	bool secure = getauxval(AT_SECURE) != 0;
	const char *tz = getenv("TZ"), *tzdir = getenv("TZDIR");
	if (tz && !*tz)
		tz = "Universal";
	if (tz && *tz == ':')
		tz++;
	if (!tz)
		tz = DEFAULT_ZONE;
	bool ok;
	if (file_settles(z, tzfile_read(&z->file, tz, tzdir, secure), &ok))
		return ok;
	if (!*tz || strcmp(tz, DEFAULT_ZONE) == 0) {
		z->is_file = false;	/* glibc's UTC, nothing to parse */
		return tzrule_parse("", 0, &z->rule);
	}
	return rule_read(z, tz, tzdir, secure);
}
#else
/* musl reads the zone by its own rules (__tz.c's do_tzset, musl 1.2):
 * TZ unset is /etc/localtime and empty is UTC.  A POSIX string is a
 * name then a sign or digit, or the name UTC or GMT ("CET-1", "UTC");
 * anything else names a file ("CET", "Europe/Paris", ":/etc/zone"),
 * taken as it is when it starts with '/' or '.' (when AT_SECURE,
 * /etc/localtime only), else looked up, without TZDIR, in three
 * directories; a file it cannot use is UTC.  There are no posixrules:
 * a daylight name without rules, which musl evaluates with empty ones,
 * is one we do not follow. */
static const char *const musl_zone_dirs[] = {
	"/usr/share/zoneinfo", "/share/zoneinfo", "/etc/zoneinfo",
};

/* musl's getname, then its test of what follows the name. */
static bool musl_posix_form(const char *tz)
{
	const char *name = tz, *end = tz, *after;
	if (*tz == '<') {
		name = end = tz + 1;
		while (*end && *end != '>')
			end++;
		after = *end ? end + 1 : end;
	} else {
		while ((*end | 32) >= 'a' && (*end | 32) <= 'z')
			end++;
		after = end;
	}
	if (after == tz)
		return false;
	if (*after == '+' || *after == '-' || (*after >= '0' && *after <= '9'))
		return true;
	return end - name == 3 && (strncmp(name, "UTC", 3) == 0 ||
				   strncmp(name, "GMT", 3) == 0);
}

static enum tzfile_result musl_zone_file(struct tzfile *file, const char *tz,
					 bool secure)
{
	if (*tz == '/' || *tz == '.')
		return secure && strcmp(tz, DEFAULT_ZONE) != 0 ? TZFILE_UNUSED :
		       tzfile_read(file, tz, ".", false);
	enum tzfile_result found = TZFILE_UNUSED;
	if (strlen(tz) > NAME_MAX || strchr(tz, '.'))
		return found;
	for (size_t i = 0; found == TZFILE_UNUSED &&
	     i < sizeof(musl_zone_dirs) / sizeof(musl_zone_dirs[0]); i++)
		found = tzfile_read(file, tz, musl_zone_dirs[i], false);
	return found;
}

static bool zone_read(struct zone *z)
{
	const char *tz = getenv("TZ");
	if (!tz)
		tz = DEFAULT_ZONE;
	if (*tz && !musl_posix_form(tz)) {
		bool ok;
		if (file_settles(z, musl_zone_file(&z->file, tz + (*tz == ':'),
						   getauxval(AT_SECURE) != 0),
				 &ok))
			return ok;
		tz = "";	/* musl's UTC */
	}
	z->is_file = false;
	return tzrule_parse(tz, (long)strlen(tz), &z->rule) &&
	       !z->rule.rules_from_file;
}
#endif

void localclock_init(void)
{
	if (zone_read(&zone)) {
		source = LOCALCLOCK_ZONE;
	} else {
		source = LOCALCLOCK_UTC_UNREAD;
		zone.is_file = false;
		tzrule_parse("", 0, &zone.rule);
	}
}

enum localclock_source localclock_source(void)
{
	return source;
}

int64_t localclock_at(int64_t utc)
{
	return utc + (zone.is_file ? tzfile_offset_at(&zone.file, utc)
				   : tzrule_offset_at(&zone.rule, utc));
}

/* Read on first need, by whichever thread gets there first: 0 until
 * then, the reader's pid while it reads (a child forked meanwhile
 * reads for itself), ZONE_READ after. */
#define ZONE_READ (-1)
static int zone_state;

/* How long a thread waits for another's reading: 100 pauses of 100 us,
 * 10 ms in all.  The reading is a few system calls, but the reader may
 * be this very thread, interrupted (localclock_ready). */
#define ZONE_WAIT_PAUSE_NS 100000
#define ZONE_WAIT_PAUSES 100

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
	int saved = errno;
	if (take_the_reading()) {
		localclock_init();
		__atomic_store_n(&zone_state, ZONE_READ, __ATOMIC_RELEASE);
		errno = saved;
		return;
	}
	/* Another thread is reading it, a few system calls: wait for it,
	 * but only so long, as that may be this very thread, interrupted
	 * by a handler installed behind libc's back. */
	const struct timespec pause = { 0, ZONE_WAIT_PAUSE_NS };
	for (int i = 0; i < ZONE_WAIT_PAUSES && !zone_ready(); i++)
		nanosleep(&pause, NULL);
	errno = saved;
}

int64_t localclock_now(void)
{
	struct timespec now;
	localclock_ready();
	clock_gettime(CLOCK_REALTIME, &now);
	/* Still unread after the wait: UTC, rather than no record. */
	return zone_ready() ? localclock_at((int64_t)now.tv_sec) : now.tv_sec;
}
