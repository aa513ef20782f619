/* check_spread.c: the spread of each sleep (AWS "Exponential Backoff
 * And Jitter"): every draw stays in its range, and 10,000 draws have
 * the distribution of the formula (chi-square over 10 equal bins). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "delay.h"

#define DRAWS 10000
#define BINS 10
/* Chi-square, 9 degrees of freedom, p = 0.001: a fair formula fails
 * this one time in a thousand seeds; the seed is fixed. */
#define CHI2_CRITICAL 27.88

/* Checks that `x` (DRAWS values) is uniform on [lo, hi). */
static void ck_uniform(const double *x, int n, double lo, double hi)
{
	int bins[BINS] = { 0 };
	double sum = 0;
	for (int i = 0; i < n; i++) {
		ck_assert(x[i] >= lo && x[i] <= hi);
		int b = (int)((x[i] - lo) / (hi - lo) * BINS);
		bins[b == BINS ? BINS - 1 : b]++;
		sum += x[i];
	}
	double expected = (double)n / BINS, chi2 = 0;
	for (int b = 0; b < BINS; b++)
		chi2 += (bins[b] - expected) * (bins[b] - expected) / expected;
	ck_assert_msg(chi2 < CHI2_CRITICAL, "chi2 %g", chi2);
	/* The mean of a uniform draw, within 5 standard errors. */
	double se = (hi - lo) / sqrt(12.0 * n);
	ck_assert_double_eq_tol(sum / n, (lo + hi) / 2, 5 * se);
}

static double draws[DRAWS];

START_TEST(none_is_the_kaioretry_delay)
{
	uint64_t rng = 3;
	ck_assert_double_eq(spread_sleep(SPREAD_NONE, 1.5, 9, 2, &rng), 1.5);
	double lo, hi;
	spread_range(SPREAD_NONE, 1.5, 9, 2, &lo, &hi);
	ck_assert_double_eq(lo, 1.5);
	ck_assert_double_eq(hi, 1.5);
}
END_TEST

START_TEST(full_is_uniform_from_zero_to_delay)
{
	uint64_t rng = 11;
	for (int i = 0; i < DRAWS; i++)
		draws[i] = spread_sleep(SPREAD_FULL, 2, 2, DELAY_UNBOUNDED, &rng);
	ck_uniform(draws, DRAWS, 0, 2);
	double lo, hi;
	spread_range(SPREAD_FULL, 2, 2, DELAY_UNBOUNDED, &lo, &hi);
	ck_assert_double_eq(lo, 0);
	ck_assert_double_eq(hi, 2);
}
END_TEST

START_TEST(equal_is_uniform_from_half_to_delay)
{
	uint64_t rng = 12;
	for (int i = 0; i < DRAWS; i++)
		draws[i] = spread_sleep(SPREAD_EQUAL, 2, 2, DELAY_UNBOUNDED, &rng);
	ck_uniform(draws, DRAWS, 1, 2);
	double lo, hi;
	spread_range(SPREAD_EQUAL, 2, 2, DELAY_UNBOUNDED, &lo, &hi);
	ck_assert_double_eq(lo, 1);
	ck_assert_double_eq(hi, 2);
}
END_TEST

START_TEST(decorrelated_is_uniform_from_delay_to_three_times_previous)
{
	uint64_t rng = 13;
	for (int i = 0; i < DRAWS; i++)
		draws[i] = spread_sleep(SPREAD_DECORRELATED, 1, 2,
					DELAY_UNBOUNDED, &rng);
	ck_uniform(draws, DRAWS, 1, 6);
}
END_TEST

/* min(cap, uniform(1, 6)) with cap 4: 2/5 of the draws land on the cap,
 * the rest are uniform on [1, 4). */
START_TEST(decorrelated_cap_takes_the_rest)
{
	uint64_t rng = 14;
	int at_cap = 0, below = 0;
	for (int i = 0; i < DRAWS; i++) {
		double x = spread_sleep(SPREAD_DECORRELATED, 1, 2, 4, &rng);
		ck_assert(x >= 1 && x <= 4);
		if (x == 4)
			at_cap++;
		else
			draws[below++] = x;
	}
	/* Binomial(10000, 0.4): standard deviation 49. */
	ck_assert_int_lt(abs(at_cap - 4000), 250);
	ck_uniform(draws, below, 1, 4);
	double lo, hi;
	spread_range(SPREAD_DECORRELATED, 1, 2, 4, &lo, &hi);
	ck_assert_double_eq(lo, 1);
	ck_assert_double_eq(hi, 4);
}
END_TEST

/* With backoff 1 a series is AWS's loop: sleep = min(cap, uniform(base,
 * 3 * sleep)), starting from sleep = base. */
START_TEST(decorrelated_series_follows_the_aws_loop)
{
	uint64_t rng = 15;
	double previous = 0.5, max_seen = 0;
	for (int i = 0; i < 200; i++) {
		double x = spread_sleep(SPREAD_DECORRELATED, 0.5, previous, 30,
					&rng);
		ck_assert(x >= 0.5 && x <= fmin(30, 3 * previous) + 1e-12);
		previous = x;
		max_seen = fmax(max_seen, x);
	}
	ck_assert(max_seen > 10);	/* it does grow, as AWS's does */
}
END_TEST

/* Backoff above 3 can leave 3 * previous below the delay. */
START_TEST(decorrelated_never_below_delay)
{
	uint64_t rng = 16;
	for (int i = 0; i < 100; i++)
		ck_assert_double_eq(spread_sleep(SPREAD_DECORRELATED, 10, 1,
						 DELAY_UNBOUNDED, &rng), 10);
}
END_TEST

Suite *spread_suite(void)
{
	Suite *s = suite_create("spread");
	TCase *tc = tcase_create("AWS formulas");
	tcase_add_test(tc, none_is_the_kaioretry_delay);
	tcase_add_test(tc, full_is_uniform_from_zero_to_delay);
	tcase_add_test(tc, equal_is_uniform_from_half_to_delay);
	tcase_add_test(tc, decorrelated_is_uniform_from_delay_to_three_times_previous);
	tcase_add_test(tc, decorrelated_cap_takes_the_rest);
	tcase_add_test(tc, decorrelated_series_follows_the_aws_loop);
	tcase_add_test(tc, decorrelated_never_below_delay);
	suite_add_tcase(s, tc);
	return s;
}
