/* check_localclock.c: the local clock against localtime_r, called here
 * in the test (the library never calls it), for every kind of zone
 * glibc reads: files of each version, POSIX strings odd
 * or not, a daylight name without rules (posixrules, the US rules),
 * files glibc refuses; and the zones we cannot follow give UTC. */
#include <check.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "localclock.h"

static void set_zone(const char *tz, const char *tzdir, bool glibc_too)
{
	if (tz)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	if (tzdir)
		setenv("TZDIR", tzdir, 1);
	else
		unsetenv("TZDIR");
	if (glibc_too)
		tzset();
	localclock_init();
}

/* What localtime_r shows at `s`, as seconds since the epoch. */
static int64_t glibc_local(int64_t s)
{
	time_t t = (time_t)s;
	struct tm tm;
	ck_assert_ptr_nonnull(localtime_r(&t, &tm));
	return (int64_t)timegm(&tm);
}

/* The first offset that differs, on stderr; true if none does. */
static bool agrees_over(const char *tz, int64_t from, int64_t to, int64_t step)
{
	for (int64_t s = from; s < to; s += step)
		if (localclock_at(s) != glibc_local(s)) {
			fprintf(stderr, "TZ=%s at %lld: %+lld, localtime_r %+lld\n",
				tz, (long long)s, (long long)(localclock_at(s) - s),
				(long long)(glibc_local(s) - s));
			return false;
		}
	return true;
}

/* Read from the zone, and what localtime_r shows: every hour over the
 * next two years, daily for 40 years (past the last transition of any
 * file), and every few days since 1971.  In a process of its own: the
 * zone is a process's first (glibc's state after a tzset can differ,
 * see tzfile.h's tzfile_use_for). */
static void agrees_in(const char *tz, const char *tzdir)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		set_zone(tz, tzdir, true);
		if (localclock_source() != LOCALCLOCK_ZONE) {
			fprintf(stderr, "TZ=%s: not read\n", tz ? tz : "(unset)");
			_exit(1);
		}
		int64_t now = time(NULL);
		_exit(agrees_over(tz, now, now + 2 * 365 * 86400L, 3599) &&
		      agrees_over(tz, now, now + 40 * 365 * 86400L, 86400 + 3593) &&
		      agrees_over(tz, 365 * 86400L, now, 5 * 86400 + 3607) ? 0 : 1);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "TZ=%s (TZDIR=%s): see above", tz ? tz : "(unset)",
		      tzdir ? tzdir : "(unset)");
}

static void agrees(const char *tz)
{
	agrees_in(tz, NULL);
}

static void not_followed(const char *tz)
{
	set_zone(tz, NULL, false);	/* glibc might block: not asked */
	ck_assert_msg(localclock_source() == LOCALCLOCK_UTC_UNREAD,
		      "TZ=%s: read, but glibc's reading is not followed", tz);
	int64_t now = time(NULL);
	ck_assert_int_eq(localclock_at(now), now);
}

START_TEST(zone_files)
{
	agrees(NULL);			/* /etc/localtime */
	agrees("Europe/Paris");
	agrees(":America/New_York");
	agrees("/usr/share/zoneinfo/America/Sao_Paulo");
	agrees("Australia/Lord_Howe");	/* half-hour DST, south */
	agrees("Asia/Kolkata");
	agrees("Africa/Casablanca");	/* DST off for Ramadan */
	agrees("America/Godthab");	/* negative rule times */
	agrees("Asia/Jerusalem");	/* rule time 26:00 */
	agrees("UTC");
	agrees("");
	agrees(":");
	if (access("/usr/share/zoneinfo/right/Europe/Paris", R_OK) == 0)
		not_followed("right/Europe/Paris");	/* leap seconds */
}
END_TEST

START_TEST(posix_strings)
{
	agrees("XXX3YYY,M3.2.0/2,M11.1.0/2");
	agrees("IST-5:30");
	agrees("NST3:30");
	agrees("<+0330>-3:30");
	agrees("<+05>-5<+06>,M3.2.0,M11.1.0");
	agrees("AAA-10BBB-11,M10.1.0,M4.1.0/3");	/* south */
	agrees("CCC3DDD,J60/1:30,300/-2:15:30");
	agrees("EEE-2FFF,M3.4.4/26,M10.5.0");
	agrees("GGG0HHH-1,0/0,364/25");	/* year boundary */
	agrees("XXX5YYY,M3.2.0");	/* the end: the US rule */
	agrees("FOO5BAR,J0,300");
}
END_TEST

/* What glibc makes of strings it only half parses: the fields it did
 * not get to stay zero, and it evaluates them anyway. */
START_TEST(odd_strings)
{
	agrees("NotAZone/Nowhere");	/* no offset: UTC */
	agrees("FOO");
	agrees("FOO+");
	agrees("FOO5x");
	agrees("FOO5,M3.2.0,M11.1.0");	/* no daylight name: offset 0 */
	agrees("FOO5BAR,,");
	agrees("FOO5BAR+,M3.2.0,M11.1.0");
	agrees("FOO5BAR 4,M 3.2.0/ 3,M+11.1.0");	/* sscanf skips blanks */
	agrees("FOO5BAR,M3.2.0/");
	agrees("FOO5BAR,M3.2.0/-,M11.1.0");
	agrees("FOO5BAR,M3.2.0/2xyz");
	agrees("FOO5BAR,M3.2,M11.1.0");
	agrees("FOO5BAR,M3.6.0,M11.1.0");
	agrees("FOO5BAR,M3.2.7,M11.1.0");
	agrees("FOO5BAR,J0,M11.1.0");
	agrees("FOO5BAR,366,10");
	agrees("FOO65541BAR,M3.2.0,M11.1.0");	/* %hu wraps */
	agrees("FOO-99999999999999999999BAR,M3.2.0,M11.1.0");
	agrees("FOO5BAR3:99:99,M3.2.0/99:99:99,M11.1.0/-65535");
	agrees("America");		/* a directory: a string, UTC */
	/* glibc would index its month table out of bounds. */
	not_followed("FOO5BAR,M13.1.0,M11.1.0");
	not_followed("FOO5BAR,Mx,M11.1.0");
}
END_TEST

/* A daylight name without rules: posixrules, with the string's own
 * offsets (and, past the file's last transition, posixrules's footer
 * with its offsets, as glibc does); the US rules without it. */
START_TEST(daylight_without_rules)
{
	agrees("FOO5BAR");
	agrees("XXX5YYY");
	agrees("AAA-1BBB");
	agrees("AAA-1BBB-3");
	agrees("AAA-1BBB,");

	char dir[] = "/tmp/check_localclock.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	agrees_in("AAA-1BBB", dir);		/* no posixrules: US rules */
	char path[256];
	snprintf(path, sizeof(path), "%s/posixrules", dir);
	ck_assert_int_eq(symlink("/usr/share/zoneinfo/UTC", path), 0);
	agrees_in("AAA-1BBB", dir);		/* one type: US rules */
	unlink(path);
	ck_assert_int_eq(symlink("/usr/share/zoneinfo/Europe/Paris", path), 0);
	agrees_in("AAA-1BBB", dir);
	agrees_in("XXX5YYY", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* Zone files of other shapes, in a directory of our own. */
START_TEST(other_files)
{
	static unsigned char paris[65536];
	FILE *f = fopen("/usr/share/zoneinfo/Europe/Paris", "r");
	ck_assert_ptr_nonnull(f);
	size_t len = fread(paris, 1, sizeof(paris), f);
	fclose(f);
	ck_assert_uint_gt(len, 44);

	char dir[] = "/tmp/check_localclock.XXXXXX", path[256];
	ck_assert_ptr_nonnull(mkdtemp(dir));

	/* Version 1: the 32-bit block alone, read as glibc does. */
	snprintf(path, sizeof(path), "%s/v1", dir);
	paris[4] = '\0';
	write_file(path, paris, len);
	paris[4] = '2';
	agrees(path);

	/* Cut short: glibc rejects it and reads TZ as a string (UTC). */
	snprintf(path, sizeof(path), "%s/short", dir);
	write_file(path, paris, len / 2);
	agrees(path);

	/* Past our bound: not followed. */
	snprintf(path, sizeof(path), "%s/big", dir);
	memset(paris + len, '\n', 20000);
	write_file(path, paris, len + 20000);
	not_followed(path);

	/* A FIFO: glibc would block in open; we never open it. */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	not_followed(path);
	char colon[300];
	snprintf(colon, sizeof(colon), ":%s", path);
	not_followed(colon);
	unlink(path);
	not_followed("/dev/zero");	/* a device: not opened either */

	snprintf(path, sizeof(path), "%s/v1", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/short", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/big", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

Suite *localclock_suite(void)
{
	Suite *s = suite_create("localclock");
	TCase *tc = tcase_create("localclock");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, zone_files);
	tcase_add_test(tc, posix_strings);
	tcase_add_test(tc, odd_strings);
	tcase_add_test(tc, daylight_without_rules);
	tcase_add_test(tc, other_files);
	suite_add_tcase(s, tc);
	return s;
}
