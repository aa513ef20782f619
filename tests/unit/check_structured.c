/* check_structured.c: the structured record formats: journald's native
 * fields (plain and binary), RFC 5424 SD-PARAM escaping, RFC 3339 time. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sink_journal.h"
#include "sink_rfc5424.h"

START_TEST(journal_plain_field)
{
	static struct journal_wire w;
	journal_field(&w, "KAIORETRY_CALL", "connect", 7);
	ck_assert_uint_eq(w.len, strlen("KAIORETRY_CALL=connect\n"));
	ck_assert(memcmp(w.buf, "KAIORETRY_CALL=connect\n", w.len) == 0);
}
END_TEST

START_TEST(journal_binary_field_for_a_newline)
{
	static struct journal_wire w;
	journal_field(&w, "MESSAGE", "a\nb=c", 5);
	static const char want[] = "MESSAGE\n\x05\0\0\0\0\0\0\0a\nb=c\n";
	ck_assert_uint_eq(w.len, sizeof(want) - 1);
	ck_assert(memcmp(w.buf, want, w.len) == 0);
	ck_assert(!w.full);
}
END_TEST

START_TEST(journal_overflow_is_full_not_cut)
{
	static struct journal_wire w;
	static char big[JOURNAL_WIRE_MAX];
	memset(big, 'x', sizeof(big));
	journal_field(&w, "A", "1", 1);
	size_t before = w.len;
	journal_field(&w, "MESSAGE", big, sizeof(big) - 4);
	ck_assert(w.full);
	ck_assert_uint_ge(w.len, before);
	ck_assert_uint_le(w.len, sizeof(w.buf));
}
END_TEST

static const char *sd_value(const char *raw)
{
	static struct text t;
	t.len = 0;
	t.buf[0] = '\0';
	rfc5424_param_value(&t, raw, strlen(raw));
	return t.buf;
}

START_TEST(sd_param_escaping)
{
	ck_assert_str_eq(sd_value("127.0.0.1:80"), "127.0.0.1:80");
	ck_assert_str_eq(sd_value("a\"b]c\\d"), "a\\\"b\\]c\\\\d");
	ck_assert_str_eq(sd_value("x\ny\x7f"), "x\\\\x0ay\\\\x7f");
}
END_TEST

static const char *rfc3339(int64_t seconds, unsigned micros)
{
	static struct text t;
	t.len = 0;
	text_rfc3339_utc(&t, seconds, micros);
	return t.buf;
}

START_TEST(rfc3339_time)
{
	ck_assert_str_eq(rfc3339(0, 0), "1970-01-01T00:00:00.000000Z");
	ck_assert_str_eq(rfc3339(1709210096, 42), "2024-02-29T12:34:56.000042Z");
	ck_assert_str_eq(rfc3339(4107542400, 999999),
			 "2100-03-01T00:00:00.999999Z");
	ck_assert_str_eq(rfc3339(-1, 5), "1969-12-31T23:59:59.000005Z");
}
END_TEST

START_TEST(rfc3339_agrees_with_gmtime)
{
	char want[40];
	for (int64_t s = -86400 * 400; s < 4102444800; s += 86400 * 13 + 3607) {
		time_t t = (time_t)s;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S.000007Z", &tm);
		ck_assert_str_eq(rfc3339(s, 7), want);
	}
}
END_TEST

Suite *structured_suite(void)
{
	Suite *s = suite_create("structured");
	TCase *tc = tcase_create("formats");
	tcase_add_test(tc, journal_plain_field);
	tcase_add_test(tc, journal_binary_field_for_a_newline);
	tcase_add_test(tc, journal_overflow_is_full_not_cut);
	tcase_add_test(tc, sd_param_escaping);
	tcase_add_test(tc, rfc3339_time);
	tcase_add_test(tc, rfc3339_agrees_with_gmtime);
	suite_add_tcase(s, tc);
	return s;
}
