/* check_beyond.c: the keys beyond kaioretry's (deadline,
 * attempt_timeout, spread, budget, budget_min): their values, their
 * sources, and the retry budget's rule. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beyond.h"
#include "budget.h"
#include "config_fixture.h"


#define S(text) text, strlen(text)

START_TEST(limits)
{
	double v = 0;
	ck_assert_ptr_null(parse_limit(S("2.5"), &v));
	ck_assert_double_eq(v, 2.5);
	ck_assert_ptr_null(parse_limit(S(" none "), &v));
	ck_assert_double_eq(v, SECONDS_UNSET);
	ck_assert_ptr_null(parse_limit(S("off"), &v));
	ck_assert_ptr_nonnull(parse_limit(S("0"), &v));
	ck_assert_ptr_nonnull(parse_limit(S("-1"), &v));
	ck_assert_ptr_nonnull(parse_limit(S("1e3"), &v));
	ck_assert_ptr_nonnull(parse_limit(S("99999999"), &v));
	ck_assert_ptr_nonnull(parse_limit(S(""), &v));
}
END_TEST

START_TEST(spreads)
{
	enum spread s = SPREAD_NONE;
	ck_assert_ptr_null(parse_spread(S("Full"), &s));
	ck_assert_int_eq(s, SPREAD_FULL);
	ck_assert_ptr_null(parse_spread(S("equal"), &s));
	ck_assert_int_eq(s, SPREAD_EQUAL);
	ck_assert_ptr_null(parse_spread(S("decorrelated"), &s));
	ck_assert_int_eq(s, SPREAD_DECORRELATED);
	ck_assert_ptr_null(parse_spread(S("none"), &s));
	ck_assert_int_eq(s, SPREAD_NONE);
	ck_assert_ptr_nonnull(parse_spread(S("fully"), &s));
	ck_assert_str_eq(spread_name(SPREAD_DECORRELATED), "decorrelated");
}
END_TEST

START_TEST(budgets_and_rates)
{
	double v = -1;
	ck_assert_ptr_null(parse_budget(S("0.2"), &v));
	ck_assert_double_eq(v, 0.2);
	ck_assert_ptr_null(parse_budget(S("20%"), &v));
	ck_assert_double_eq_tol(v, 0.2, 1e-12);
	ck_assert_ptr_null(parse_budget(S("off"), &v));
	ck_assert_double_eq(v, 0);
	ck_assert_ptr_nonnull(parse_budget(S("-0.2"), &v));
	ck_assert_ptr_nonnull(parse_budget(S("11"), &v));
	ck_assert_ptr_nonnull(parse_budget(S("%"), &v));
	ck_assert_ptr_nonnull(parse_budget(S("20 %%"), &v));
	ck_assert_ptr_null(parse_rate(S("10/s"), &v));
	ck_assert_double_eq(v, 10);
	ck_assert_ptr_null(parse_rate(S("2.5"), &v));
	ck_assert_double_eq(v, 2.5);
	ck_assert_ptr_null(parse_rate(S("0/s"), &v));
	ck_assert_double_eq(v, 0);
	ck_assert_ptr_nonnull(parse_rate(S("10/min"), &v));
	ck_assert_ptr_nonnull(parse_rate(S("/s"), &v));
	ck_assert_ptr_nonnull(parse_rate(S("-1/s"), &v));
}
END_TEST

/* All off but the deadline, the built-in bound of tries=-1. */
START_TEST(defaults_are_off)
{
	char *env[] = { NULL };
	load(env);
	const struct policy *p = &cfg.policy[FAMILY_CONNECT];
	ck_assert_double_eq(p->deadline, 10);
	ck_assert(p->deadline_builtin);
	ck_assert_double_eq(p->attempt_timeout, SECONDS_UNSET);
	ck_assert_int_eq(p->spread, SPREAD_NONE);
	ck_assert_double_eq(p->budget, 0);
	ck_assert_double_eq(p->budget_min, 10);
}
END_TEST

START_TEST(env_generic_and_per_family)
{
	char *env[] = { "KAIORETRY_DEADLINE=30", "KAIORETRY_SPREAD=full",
			"KAIORETRY_BUDGET=20%", "KAIORETRY_BUDGET_MIN=5/s",
			"KAIORETRY_CONNECT_DEADLINE=5",
			"KAIORETRY_ATTEMPT_TIMEOUT=2",
			"KAIORETRY_GETADDRINFO_SPREAD=decorrelated",
			"KAIORETRY_CONNECT_BUDGET_SCOPE=host",
			"KAIORETRY_TABLE=/run/kaioretry", NULL };
	load(env);
	ck_assert(!cfg.pass_through);
	ck_assert_double_eq(cfg.policy[FAMILY_CONNECT].deadline, 5);
	ck_assert_double_eq(cfg.policy[FAMILY_READ].deadline, 30);
	ck_assert_int_eq(cfg.policy[FAMILY_READ].spread, SPREAD_FULL);
	ck_assert_int_eq(cfg.policy[FAMILY_GETADDRINFO].spread,
			 SPREAD_DECORRELATED);
	ck_assert_double_eq_tol(cfg.policy[FAMILY_SEND].budget, 0.2, 1e-12);
	ck_assert_double_eq(cfg.policy[FAMILY_SEND].budget_min, 5);
	ck_assert_double_eq(cfg.policy[FAMILY_CONNECT].attempt_timeout, 2);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].budget_scope,
			 BUDGET_SCOPE_HOST);
	ck_assert_int_eq(cfg.policy[FAMILY_SEND].budget_scope,
			 BUDGET_SCOPE_PROCESS);
	ck_assert_int_eq(cfg.table_place, TABLE_DIR);
	ck_assert_str_eq(cfg.table_dir, "/run/kaioretry");
	ck_assert_str_eq(config_origin(&cfg, FAMILY_CONNECT, KEY_DEADLINE),
			 "KAIORETRY_CONNECT_DEADLINE");
}
END_TEST

START_TEST(ini_keys)
{
	char path[] = "/tmp/kaioretry-unit-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "[default]\ndeadline = 10\nspread = equal\n"
			   "[connect]\nattempt_timeout = 1.5\nbudget = 0.1\n"
			   "budget_min = 1/s\ndeadline = none\n";
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	fchmod(fd, 0644);
	close(fd);
	char var[64];
	snprintf(var, sizeof(var), "KAIORETRY_CONFIG=%s", path);
	char *env[] = { var, NULL };
	load(env);
	unlink(path);
	ck_assert(!cfg.pass_through);
	ck_assert_double_eq(cfg.policy[FAMILY_READ].deadline, 10);
	ck_assert_double_eq(cfg.policy[FAMILY_CONNECT].deadline, SECONDS_UNSET);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].spread, SPREAD_EQUAL);
	ck_assert_double_eq(cfg.policy[FAMILY_CONNECT].attempt_timeout, 1.5);
	ck_assert_double_eq(cfg.policy[FAMILY_CONNECT].budget, 0.1);
	ck_assert_double_eq(cfg.policy[FAMILY_CONNECT].budget_min, 1);
	ck_assert_double_eq(cfg.policy[FAMILY_READ].budget, 0);
}
END_TEST

static const struct { const char *var, *needle; } bad[] = {
	{ "KAIORETRY_DEADLINE=0", "greater than 0" },
	{ "KAIORETRY_DEADLINE=soon", "plain decimal" },
	{ "KAIORETRY_SPREAD=random", "expected none, full" },
	{ "KAIORETRY_BUDGET=2000%", "no budget" },
	{ "KAIORETRY_BUDGET_MIN=fast", "plain decimal" },
	{ "KAIORETRY_BUDGET_SCOPE=world", "expected process or host" },
	{ "KAIORETRY_TABLE=run/kaioretry", "absolute directory" },
	{ "KAIORETRY_READ_ATTEMPT_TIMEOUT=2", "connect only" },
	{ "KAIORETRY_CONNECT_ATTEMPT_TIMEOUT=0", "greater than 0" },
};

START_TEST(bad_values_rejected)
{
	char *env[] = { (char *)bad[_i].var, NULL };
	load(env);
	ck_assert(cfg.pass_through);
	ck_assert_msg(has_problem(bad[_i].needle), "%s: %s", bad[_i].var,
		      cfg.problem[0]);
	ck_assert(has_problem(strchr(bad[_i].var, '=') ? "KAIORETRY_" : ""));
}
END_TEST

/* budget 0.5, floor 0.3/s (3 per window): after 10 series starts,
 * 0.5 * 10 + 3 = 8 retries are allowed, then none. */
START_TEST(budget_rule)
{
	struct policy p;
	policy_builtin(&p, FAMILY_SEND);
	p.budget = 0.5;
	p.budget_min = 0.3;
	for (int i = 0; i < 10; i++)
		budget_deposit(FAMILY_SEND, NULL);
	int allowed = 0;
	for (int i = 0; i < 20; i++)
		allowed += budget_withdraw(FAMILY_SEND, &p, NULL);
	ck_assert_int_eq(allowed, 8);
	budget_deposit(FAMILY_SEND, NULL);
	budget_deposit(FAMILY_SEND, NULL);
	ck_assert(budget_withdraw(FAMILY_SEND, &p, NULL));	/* 0.5 * 2 = 1 more */
	ck_assert(!budget_withdraw(FAMILY_SEND, &p, NULL));
	/* Families have their own budgets. */
	ck_assert(budget_withdraw(FAMILY_RECV, &p, NULL));
	uint64_t also = 99;
	ck_assert(budget_report_due(FAMILY_SEND, &also));
	ck_assert_int_eq(also, 0);
	ck_assert(!budget_report_due(FAMILY_SEND, &also));	/* same second */
}
END_TEST

/* Host scope: the window words are the caller's (the host table's), so
 * what one process deposits and withdraws there, another sees; this
 * process's own words are untouched. */
START_TEST(budget_host_words)
{
	uint64_t host[BUDGET_WINDOW_SECONDS] = { 0 };
	struct policy p;
	policy_builtin(&p, FAMILY_WRITE);
	p.budget = 0.5;
	p.budget_min = 0.2;		/* 2 per window */
	for (int i = 0; i < 4; i++)
		budget_deposit(FAMILY_WRITE, host);
	int allowed = 0;
	for (int i = 0; i < 10; i++)
		allowed += budget_withdraw(FAMILY_WRITE, &p, host);
	ck_assert_int_eq(allowed, 4);	/* 0.5 * 4 + 2 */
	ck_assert(budget_withdraw(FAMILY_WRITE, &p, NULL));
	/* Garbage in the words decodes to counts and never faults. */
	for (int i = 0; i < BUDGET_WINDOW_SECONDS; i++)
		host[i] = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
	budget_deposit(FAMILY_WRITE, host);
	(void)budget_withdraw(FAMILY_WRITE, &p, host);
}
END_TEST

Suite *beyond_suite(void)
{
	Suite *s = suite_create("beyond");
	TCase *tc = tcase_create("keys");
	tcase_add_test(tc, limits);
	tcase_add_test(tc, spreads);
	tcase_add_test(tc, budgets_and_rates);
	tcase_add_test(tc, defaults_are_off);
	tcase_add_test(tc, env_generic_and_per_family);
	tcase_add_test(tc, ini_keys);
	tcase_add_loop_test(tc, bad_values_rejected, 0,
			    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, budget_rule);
	tcase_add_test(tc, budget_host_words);
	suite_add_tcase(s, tc);
	return s;
}
