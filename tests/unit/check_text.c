/* check_text.c: the log record formatters (escaping, RFC 3164 time). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text.h"

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

Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("text");
	tcase_add_test(tc, rfc3164_time);
	tcase_add_test(tc, rfc3164_time_agrees_with_gmtime);
	tcase_add_test(tc, escaping);
	tcase_add_test(tc, full_buffer_truncates);
	suite_add_tcase(s, tc);
	return s;
}
