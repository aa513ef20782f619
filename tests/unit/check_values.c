/* check_values.c: every value parser, accepted and refused forms. */
#include <check.h>
#include <errno.h>
#include <netdb.h>
#include <string.h>

#include "values.h"

#define S(str) str, strlen(str)

START_TEST(tries_forms)
{
	int t = 0;
	ck_assert_ptr_null(parse_tries(S("5"), &t));
	ck_assert_int_eq(t, 5);
	ck_assert_ptr_null(parse_tries(S(" -1 "), &t));
	ck_assert_int_eq(t, -1);
	ck_assert_ptr_null(parse_tries(S("-7"), &t));
	ck_assert_int_eq(t, -1);	/* any negative: until it works */
	ck_assert_ptr_nonnull(parse_tries(S("0"), &t));
	ck_assert_ptr_nonnull(parse_tries(S("-0"), &t));
	ck_assert_ptr_nonnull(parse_tries(S("2.5"), &t));
	ck_assert_ptr_nonnull(parse_tries(S(""), &t));
	ck_assert_ptr_nonnull(parse_tries(S("  "), &t));
	ck_assert_ptr_nonnull(parse_tries(S("0x10"), &t));
	ck_assert_ptr_nonnull(parse_tries(S("1e3"), &t));
	ck_assert_ptr_nonnull(parse_tries(S("99999999999"), &t));
}
END_TEST

START_TEST(seconds_forms)
{
	double d = -1;
	ck_assert_ptr_null(parse_seconds(S("0"), &d));
	ck_assert_double_eq(d, 0);
	ck_assert_ptr_null(parse_seconds(S("1.25"), &d));
	ck_assert_double_eq_tol(d, 1.25, 1e-12);
	ck_assert_ptr_null(parse_seconds(S(".5"), &d));
	ck_assert_double_eq_tol(d, 0.5, 1e-12);
	ck_assert_ptr_null(parse_seconds(S("2."), &d));
	ck_assert_double_eq(d, 2);
	const char *bad[] = { "-1", "1e999", "nan", "inf", "0x10", "1,5", "",
			      " ", ".", "1..2", "+", "1 2", "99999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse_seconds(S(bad[i]), &d) != NULL,
			      "accepted '%s'", bad[i]);
}
END_TEST

START_TEST(backoff_forms)
{
	double f;
	ck_assert_ptr_null(parse_backoff(S("0.5"), &f));
	ck_assert_double_eq_tol(f, 0.5, 1e-12);
	ck_assert_ptr_nonnull(parse_backoff(S("0"), &f));
	ck_assert_ptr_nonnull(parse_backoff(S("-2"), &f));
}
END_TEST

START_TEST(jitter_forms)
{
	double lo, hi;
	ck_assert_ptr_null(parse_jitter(S("-0.5"), &lo, &hi));
	ck_assert_double_eq_tol(lo, -0.5, 1e-12);
	ck_assert_double_eq_tol(hi, -0.5, 1e-12);
	ck_assert_ptr_null(parse_jitter(S("0.1..0.3"), &lo, &hi));
	ck_assert_double_eq_tol(lo, 0.1, 1e-12);
	ck_assert_double_eq_tol(hi, 0.3, 1e-12);
	ck_assert_ptr_null(parse_jitter(S("-1..1"), &lo, &hi));
	ck_assert_ptr_nonnull(parse_jitter(S("2..1"), &lo, &hi));
	ck_assert_ptr_nonnull(parse_jitter(S("1.."), &lo, &hi));
	ck_assert_ptr_nonnull(parse_jitter(S("..1"), &lo, &hi));
	ck_assert_ptr_nonnull(parse_jitter(S("a..b"), &lo, &hi));
}
END_TEST

START_TEST(error_lists)
{
	struct errset set = { 0 };
	ck_assert_ptr_null(parse_errors(S("ECONNREFUSED, ETIMEDOUT"), &set));
	ck_assert(errset_has(&set, ECONNREFUSED));
	ck_assert(errset_has(&set, ETIMEDOUT));
	ck_assert(!errset_has(&set, EAGAIN));
	ck_assert_ptr_null(parse_errors(S("all"), &set));
	ck_assert(set.all && errset_has(&set, ECONNRESET));
	ck_assert(errset_has(&set, EAGAIN) && errset_has(&set, EAI_NONAME));
	/* `all` is every failure but those that can never work ... */
	ck_assert(!errset_has(&set, EBADF) && !errset_has(&set, EFAULT));
	ck_assert(!errset_has(&set, EINVAL) && !errset_has(&set, ENOTSOCK));
	ck_assert(!errset_has(&set, EAI_BADFLAGS));
	/* ... unless named as well. */
	struct errset named = { 0 };
	ck_assert_ptr_null(parse_errors(S("all, EINVAL"), &named));
	ck_assert(errset_has(&named, EINVAL) && !errset_has(&named, EFAULT));
	ck_assert_ptr_nonnull(parse_errors(S("ECONNREFUSD"), &set));
	ck_assert_ptr_nonnull(parse_errors(S("ECONNREFUSED,"), &set));
	ck_assert_ptr_nonnull(parse_errors(S(",EAGAIN"), &set));
	ck_assert_ptr_nonnull(parse_errors(S(""), &set));
	ck_assert_ptr_nonnull(parse_errors(S("111"), &set));
}
END_TEST

START_TEST(family_lists)
{
	bool on[FAMILY_COUNT];
	ck_assert_ptr_null(parse_families(S("connect,getaddrinfo"), on));
	ck_assert(on[FAMILY_CONNECT] && on[FAMILY_GETADDRINFO]);
	ck_assert(!on[FAMILY_READ]);
	ck_assert_ptr_nonnull(parse_families(S("conect"), on));
	/* all: every family but the opt-in ones, which are named. */
	ck_assert_ptr_null(parse_families(S("all"), on));
	ck_assert(on[FAMILY_RESOLVER] && !on[FAMILY_BIND]);
	ck_assert_ptr_null(parse_families(S("bind, all"), on));
	ck_assert(on[FAMILY_CONNECT] && on[FAMILY_BIND]);
	ck_assert_ptr_null(parse_families(S("all,bind"), on));
	ck_assert(on[FAMILY_BIND]);
	/* disk is never retried: all leaves it out, naming it is refused. */
	ck_assert(!on[FAMILY_DISK]);
	ck_assert_ptr_nonnull(strstr(parse_families(S("all, disk"), on),
				     "never retried"));
}
END_TEST

Suite *values_suite(void)
{
	Suite *s = suite_create("values");
	TCase *tc = tcase_create("parsers");
	tcase_add_test(tc, tries_forms);
	tcase_add_test(tc, seconds_forms);
	tcase_add_test(tc, backoff_forms);
	tcase_add_test(tc, jitter_forms);
	tcase_add_test(tc, error_lists);
	tcase_add_test(tc, family_lists);
	suite_add_tcase(s, tc);
	return s;
}
