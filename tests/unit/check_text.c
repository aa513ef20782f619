/* check_text.c: the log record formatters (escaping, RFC 3164 time) and
 * the local clock table against localtime_r. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "localclock.h"
#include "text.h"

/* localclock.c takes the guard, which runtime.c (not linked here) defines. */
__thread int guard_depth __attribute__((tls_model("initial-exec")));

static const char *formatted_time(int64_t seconds)
{
	static struct text t;
	t.len = 0;
	text_rfc3164_time(&t, seconds);
	return t.buf;
}

START_TEST(rfc3164_time)
{
	ck_assert_str_eq(formatted_time(0), "Jan  1 00:00:00");
	ck_assert_str_eq(formatted_time(1709210096), "Feb 29 12:34:56");
	ck_assert_str_eq(formatted_time(951782400), "Feb 29 00:00:00"); /* 2000 */
	ck_assert_str_eq(formatted_time(4107542399), "Feb 28 23:59:59"); /* 2100 */
	ck_assert_str_eq(formatted_time(4107542400), "Mar  1 00:00:00");
	ck_assert_str_eq(formatted_time(1735689599), "Dec 31 23:59:59");
	ck_assert_str_eq(formatted_time(-1), "Dec 31 23:59:59");
}
END_TEST

START_TEST(rfc3164_time_agrees_with_gmtime)
{
	char want[32];
	for (int64_t s = -86400 * 400; s < 4102444800; s += 86400 * 13 + 3607) {
		time_t t = (time_t)s;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(want, sizeof(want), "%b %e %H:%M:%S", &tm);
		ck_assert_str_eq(formatted_time(s), want);
	}
}
END_TEST

START_TEST(escaping)
{
	struct text t = { 0 };
	const char hostile[] = "a\nb\r\x1b[31m\\x0a\x7f\xc3\xa9 ok";
	text_escaped(&t, hostile, sizeof(hostile) - 1);
	ck_assert_str_eq(t.buf,
			 "a\\x0ab\\x0d\\x1b[31m\\x5cx0a\\x7f\\xc3\\xa9 ok");
}
END_TEST

START_TEST(full_buffer_truncates)
{
	struct text t = { 0 };
	for (int i = 0; i < 2000; i++)
		text_escaped(&t, "\n", 1);
	ck_assert_uint_eq(t.len, TEXT_MAX - 1);
	ck_assert_uint_eq(strlen(t.buf), TEXT_MAX - 1);
}
END_TEST

/* Every hour over two years, the local clock gives what localtime_r
 * says, and its offsets came from where we expect.  A zone read
 * directly is evaluated at each time, so it must also hold decades on,
 * well past the two years localtime_r's table covers. */
static void clock_agrees(const char *tz, enum localclock_source want)
{
	if (tz)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	tzset();
	localclock_init();
	ck_assert_msg(localclock_source() == want, "%s: source %d, want %d",
		      tz ? tz : "(unset)", localclock_source(), want);
	time_t now = time(NULL);
	for (int64_t s = now; s < now + 2 * 365 * 86400L; s += 3599) {
		time_t t = (time_t)s;
		struct tm tm;
		localtime_r(&t, &tm);
		if (localclock_at(s) != s + tm.tm_gmtoff)
			ck_abort_msg("%s at %lld: %lld, want %lld", tz,
				     (long long)s, (long long)localclock_at(s),
				     (long long)(s + tm.tm_gmtoff));
	}
	if (want != LOCALCLOCK_ZONE)
		return;
	for (int64_t s = now; s < now + 40 * 365 * 86400L; s += 86400 + 3593) {
		time_t t = (time_t)s;
		struct tm tm;
		localtime_r(&t, &tm);
		if (localclock_at(s) != s + tm.tm_gmtoff)
			ck_abort_msg("%s decades on, at %lld: %lld, want %lld",
				     tz, (long long)s,
				     (long long)localclock_at(s),
				     (long long)(s + tm.tm_gmtoff));
	}
}

START_TEST(local_clock_follows_daylight_saving)
{
	const enum localclock_source zone = LOCALCLOCK_ZONE;
	clock_agrees(NULL, zone);		/* /etc/localtime */
	clock_agrees("Europe/Paris", zone);
	clock_agrees(":America/New_York", zone);
	clock_agrees("/usr/share/zoneinfo/America/Sao_Paulo", zone);
	clock_agrees("Australia/Lord_Howe", zone);	/* half-hour DST, south */
	clock_agrees("Asia/Kolkata", zone);
	clock_agrees("Africa/Casablanca", zone);	/* DST off for Ramadan */
	clock_agrees("America/Godthab", zone);	/* negative rule times */
	clock_agrees("Asia/Jerusalem", zone);	/* rule time 26:00 */
	clock_agrees("UTC", zone);
	clock_agrees("", zone);
	clock_agrees("XXX3YYY,M3.2.0/2,M11.1.0/2", zone);
	clock_agrees("IST-5:30", zone);
	clock_agrees("NST3:30", zone);
	clock_agrees("<+0330>-3:30", zone);
	clock_agrees("AAA-10BBB-11,M10.1.0,M4.1.0/3", zone);	/* south */
	clock_agrees("CCC3DDD,J60/1:30,300/-2:15:30", zone);
	clock_agrees("EEE-2FFF,M3.4.4/26,M10.5.0", zone);
	clock_agrees("GGG0HHH-1,0/0,364/25", zone);	/* year boundary */
	/* Left to localtime_r: glibc completes it from posixrules. */
	clock_agrees("XXX5YYY", LOCALCLOCK_LOCALTIME);
	clock_agrees("XXX5YYY,M3.2.0", LOCALCLOCK_LOCALTIME);
	clock_agrees("NotAZone/Nowhere", LOCALCLOCK_LOCALTIME);
	unsetenv("TZ");
	tzset();
}
END_TEST

Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("text");
	tcase_add_test(tc, rfc3164_time);
	tcase_add_test(tc, rfc3164_time_agrees_with_gmtime);
	tcase_add_test(tc, escaping);
	tcase_add_test(tc, full_buffer_truncates);
	tcase_add_test(tc, local_clock_follows_daylight_saving);
	suite_add_tcase(s, tc);
	return s;
}
