/* check_delay.c: kaioretry's delay rule, sequence by sequence. */
#include <check.h>
#include <math.h>

#include "delay.h"
#include "policy.h"

/* kaioretry's own defaults (no backoff, no cap), whose rule these
 * sequences check; the shim's built-in policy is not kaioretry's. */
static struct policy base(void)
{
	struct policy p;
	policy_builtin(&p, FAMILY_CONNECT);
	p.delay = 0;
	p.backoff = 1;
	p.max_delay = DELAY_UNBOUNDED;
	return p;
}

/* The first `n` sleeps of a series: the first is `delay` as given. */
static void sleeps(const struct policy *p, double *out, int n)
{
	uint64_t rng = 42;
	double d = p->delay;
	for (int i = 0; i < n; i++) {
		out[i] = d;
		d = policy_next_delay(p, d, &rng);
	}
}

#define ck_seq(got, ...)                                                      \
	do {                                                                  \
		const double want[] = { __VA_ARGS__ };                        \
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)   \
			ck_assert_double_eq_tol(got[i], want[i], 1e-9);       \
	} while (0)

START_TEST(constant_by_default)
{
	struct policy p = base();
	double s[4];
	p.delay = 1;
	sleeps(&p, s, 4);
	ck_seq(s, 1, 1, 1, 1);
}
END_TEST

START_TEST(jitter_adds_each_time)
{
	struct policy p = base();
	double s[6];
	p.delay = 1;
	p.jitter_min = p.jitter_max = 1;
	sleeps(&p, s, 6);
	ck_seq(s, 1, 2, 3, 4, 5, 6);
}
END_TEST

START_TEST(backoff_multiplies)
{
	struct policy p = base();
	double s[6];
	p.delay = 1;
	p.backoff = 2;
	sleeps(&p, s, 6);
	ck_seq(s, 1, 2, 4, 8, 16, 32);
}
END_TEST

START_TEST(backoff_before_jitter)
{
	struct policy p = base();
	double s[4];
	p.delay = 1;
	p.backoff = 2;
	p.jitter_min = p.jitter_max = 1;
	sleeps(&p, s, 4);
	ck_seq(s, 1, 3, 7, 15);	/* (1*2)+1, (3*2)+1, ... */
}
END_TEST

START_TEST(backoff_below_one_shrinks)
{
	struct policy p = base();
	double s[4];
	p.delay = 8;
	p.backoff = 0.5;
	sleeps(&p, s, 4);
	ck_seq(s, 8, 4, 2, 1);
}
END_TEST

START_TEST(max_delay_caps)
{
	struct policy p = base();
	double s[7];
	p.delay = 1;
	p.backoff = 2;
	p.min_delay = 1;
	p.max_delay = 10;
	sleeps(&p, s, 7);
	ck_seq(s, 1, 2, 4, 8, 10, 10, 10);
}
END_TEST

START_TEST(first_sleep_is_delay_as_given)
{
	struct policy p = base();
	double s[3];
	p.delay = 20;
	p.max_delay = 5;
	sleeps(&p, s, 3);
	ck_seq(s, 20, 5, 5);
}
END_TEST

START_TEST(min_delay_raises_after_cap)
{
	struct policy p = base();
	double s[4];
	p.delay = 4;
	p.backoff = 0.5;
	p.min_delay = 1.5;
	sleeps(&p, s, 4);
	ck_seq(s, 4, 2, 1.5, 1.5);
}
END_TEST

START_TEST(negative_jitter_never_below_zero)
{
	struct policy p = base();
	double s[5];
	p.delay = 2;
	p.jitter_min = p.jitter_max = -1;
	sleeps(&p, s, 5);
	ck_seq(s, 2, 1, 0, 0, 0);
}
END_TEST

START_TEST(jitter_range_draws_within)
{
	struct policy p = base();
	uint64_t rng = 7;
	double lo = 1e9, hi = -1e9;
	p.jitter_min = 0.5;
	p.jitter_max = 1.5;
	for (int i = 0; i < 10000; i++) {
		double d = policy_next_delay(&p, 1, &rng);
		ck_assert(d >= 1.5 && d <= 2.5);
		lo = fmin(lo, d);
		hi = fmax(hi, d);
	}
	ck_assert(lo < 1.55 && hi > 2.45);	/* it covers the range */
}
END_TEST

Suite *delay_suite(void)
{
	Suite *s = suite_create("delay");
	TCase *tc = tcase_create("kaioretry sequences");
	tcase_add_test(tc, constant_by_default);
	tcase_add_test(tc, jitter_adds_each_time);
	tcase_add_test(tc, backoff_multiplies);
	tcase_add_test(tc, backoff_before_jitter);
	tcase_add_test(tc, backoff_below_one_shrinks);
	tcase_add_test(tc, max_delay_caps);
	tcase_add_test(tc, first_sleep_is_delay_as_given);
	tcase_add_test(tc, min_delay_raises_after_cap);
	tcase_add_test(tc, negative_jitter_never_below_zero);
	tcase_add_test(tc, jitter_range_draws_within);
	suite_add_tcase(s, tc);
	return s;
}
