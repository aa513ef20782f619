/* check_config.c: every source, the precedence between them, and the
 * validation of what they say. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "config_fixture.h"
#include "loader.h"

static char ini_path[64];

static void write_ini(const char *text)
{
	strcpy(ini_path, "/tmp/kaioretry-unit-XXXXXX");
	int fd = mkstemp(ini_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	fchmod(fd, 0644);
	close(fd);
}

static void teardown(void)
{
	if (ini_path[0])
		unlink(ini_path);
	ini_path[0] = '\0';
}

START_TEST(builtin_defaults)
{
	char *env[] = { NULL };
	load(env);
	ck_assert(!cfg.pass_through);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].tries, -1);
	ck_assert_double_eq(cfg.policy[FAMILY_CONNECT].delay, 0.1);
	ck_assert_double_eq(cfg.policy[FAMILY_CONNECT].backoff, 2);
	ck_assert_double_eq(cfg.policy[FAMILY_CONNECT].max_delay, 2);
	ck_assert_double_eq(cfg.policy[FAMILY_CONNECT].deadline, 10);
	ck_assert(cfg.policy[FAMILY_CONNECT].deadline_builtin);
	ck_assert(errset_has(&cfg.policy[FAMILY_CONNECT].errors, ECONNREFUSED));
	/* Left out on purpose (policy.c says why). */
	ck_assert(!errset_has(&cfg.policy[FAMILY_CONNECT].errors, ENOENT));
	ck_assert(!errset_has(&cfg.policy[FAMILY_ACCEPT].errors, EOPNOTSUPP));
	ck_assert(!errset_has(&cfg.policy[FAMILY_RECV].errors, ENOBUFS));
	ck_assert(!errset_has(&cfg.policy[FAMILY_READ].errors, ENOBUFS));
	ck_assert(errset_has(&cfg.policy[FAMILY_SEND].errors, ENOBUFS));
	ck_assert(errset_has(&cfg.policy[FAMILY_ACCEPT].errors, EMFILE));
	ck_assert(!errset_has(&cfg.policy[FAMILY_CONNECT].errors, EBADF));
	ck_assert(!errset_has(&cfg.policy[FAMILY_READ].errors, EINTR));
	ck_assert(errset_has(&cfg.policy[FAMILY_GETADDRINFO].errors, -3));
	ck_assert_int_eq(cfg.log.sink, SINK_SYSLOG);
	ck_assert_str_eq(cfg.log.path, "/dev/log");
	ck_assert_str_eq(config_origin(&cfg, FAMILY_CONNECT, KEY_TRIES), "built-in");
}
END_TEST

START_TEST(precedence_lowest_to_highest)
{
	write_ini("[default]\ntries = 2\ndelay = 0.1\n"
		  "[connect]\ntries = 3\n");
	char config[128];
	snprintf(config, sizeof(config), "KAIORETRY_CONFIG=%s", ini_path);
	char *only_ini[] = { config, NULL };
	load(only_ini);
	ck_assert_int_eq(cfg.policy[FAMILY_READ].tries, 2);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].tries, 3);

	char *generic[] = { config, "KAIORETRY_TRIES=4", NULL };
	load(generic);
	ck_assert_int_eq(cfg.policy[FAMILY_READ].tries, 4);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].tries, 4);
	ck_assert_str_eq(config_origin(&cfg, FAMILY_CONNECT, KEY_TRIES), "KAIORETRY_TRIES");

	/* Order in the environment does not matter, only rank. */
	char *family[] = { config, "KAIORETRY_CONNECT_TRIES=5",
			   "KAIORETRY_TRIES=4", NULL };
	load(family);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].tries, 5);
	ck_assert_int_eq(cfg.policy[FAMILY_SEND].tries, 4);
	ck_assert_double_eq_tol(cfg.policy[FAMILY_SEND].delay, 0.1, 1e-12);
	char want[96];
	snprintf(want, sizeof(want), "%s:3", ini_path);
	ck_assert_str_eq(config_origin(&cfg, FAMILY_SEND, KEY_DELAY), want);
	ck_assert(!cfg.pass_through);
}
END_TEST

START_TEST(ini_syntax)
{
	write_ini("# comment\n; comment\n\n  [ connect ]  \r\n"
		  "  tries=7   # trailing\n"
		  "delay = 0.5 ; trailing\n"
		  "errors = ECONNREFUSED , ETIMEDOUT\n"
		  "[default]\nlog = stderr\nlog_facility = daemon\n"
		  "log_level = warning\non = connect\n");
	char config[128];
	snprintf(config, sizeof(config), "KAIORETRY_CONFIG=%s", ini_path);
	char *env[] = { config, NULL };
	load(env);
	ck_assert_msg(!cfg.pass_through, "%s", cfg.problem[0]);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].tries, 7);
	ck_assert_double_eq_tol(cfg.policy[FAMILY_CONNECT].delay, 0.5, 1e-12);
	ck_assert(errset_has(&cfg.policy[FAMILY_CONNECT].errors, ETIMEDOUT));
	ck_assert(!errset_has(&cfg.policy[FAMILY_CONNECT].errors, ENOENT));
	ck_assert_int_eq(cfg.log.sink, SINK_STDERR);
	ck_assert_int_eq(cfg.log.facility, LOG_DAEMON);
	ck_assert_int_eq(cfg.log.level, LOG_WARNING);
	ck_assert(cfg.policy[FAMILY_CONNECT].enabled);
	ck_assert(!cfg.policy[FAMILY_READ].enabled);
}
END_TEST

START_TEST(duplicate_keys_last_wins)
{
	write_ini("[connect]\ntries = 2\n[connect]\ntries = 9\n");
	char config[128];
	snprintf(config, sizeof(config), "KAIORETRY_CONFIG=%s", ini_path);
	char *env[] = { config, NULL };
	load(env);
	ck_assert(!cfg.pass_through);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].tries, 9);
}
END_TEST

struct bad_ini {
	const char *text;
	const char *problem;
};

static const struct bad_ini bad_inis[] = {
	{ "[connect\ntries = 2\n", ":1: section header without closing" },
	{ "[conect]\ntries = 2\n", ":1: unknown section [conect]" },
	{ "tries 2\n", ":1: expected 'key = value'" },
	{ "[default]\n\ntrys = 2\n", ":3: unknown key 'trys'" },
	{ "tries = 0\n", ":1: '0': tries=0" },
	{ "delay = \n", ":1: '': empty value" },
	{ "delay = 1e999\n", "not a plain decimal" },
	{ "[connect]\nlog = stderr\n", ":2: 'log' belongs in [default]" },
	{ "errors = ECONNREFUSED,EFOO\n", "unknown error name" },
	{ "min_delay = 5\nmax_delay = 2\n", "min_delay 5 is above max_delay 2" },
	{ "= 3\n", "missing key" },
	{ "log = file:relative\n", "must be absolute" },
	{ "log_level = loud\n", "expected warning" },
};

START_TEST(bad_ini_rejected)
{
	write_ini(bad_inis[_i].text);
	char config[128];
	snprintf(config, sizeof(config), "KAIORETRY_CONFIG=%s", ini_path);
	char *env[] = { config, NULL };
	load(env);
	ck_assert(cfg.pass_through);
	ck_assert_msg(has_problem(bad_inis[_i].problem), "wanted '%s', got '%s'",
		      bad_inis[_i].problem, cfg.problem[0]);
}
END_TEST

struct bad_env {
	char *var;
	const char *problem;
};

static const struct bad_env bad_envs[] = {
	{ "KAIORETRY_TRIES=0", "KAIORETRY_TRIES: '0'" },
	{ "KAIORETRY_TRIES=", "KAIORETRY_TRIES: '': empty" },
	{ "KAIORETRY_DELAY=-1", "must not be negative" },
	{ "KAIORETRY_DELAY=nan", "not a plain decimal" },
	{ "KAIORETRY_BACKOFF=0", "greater than 0" },
	{ "KAIORETRY_JITTER=3..1", "A <= B" },
	{ "KAIORETRY_ERRORS=ECONNREFUSED,nope", "unknown error name" },
	{ "KAIORETRY_TRIE=3", "KAIORETRY_TRIE: unknown variable" },
	{ "KAIORETRY_CONECT_TRIES=3", "unknown variable" },
	{ "KAIORETRY_CONNECT_LOG=stderr", "unknown variable" },
	{ "KAIORETRY_LOG=console", "expected syslog" },
	{ "KAIORETRY_STRICT=maybe", "KAIORETRY_STRICT" },
	{ "KAIORETRY_CONFIG=/nonexistent/k.ini", "/nonexistent/k.ini: cannot open" },
	{ "KAIORETRY_CONFIG=/tmp", "/tmp: not a regular file" },
	{ "KAIORETRY_CONFIG=/dev/zero", "not a regular file" },
};

START_TEST(bad_env_rejected)
{
	char *env[] = { bad_envs[_i].var, NULL };
	load(env);
	ck_assert(cfg.pass_through);
	ck_assert_msg(has_problem(bad_envs[_i].problem), "wanted '%s', got '%s'",
		      bad_envs[_i].problem, cfg.problem[0]);
}
END_TEST

START_TEST(min_above_max_across_sources)
{
	char *env[] = { "KAIORETRY_MAX_DELAY=1", "KAIORETRY_CONNECT_MIN_DELAY=2",
			NULL };
	load(env);
	ck_assert(cfg.pass_through);
	ck_assert(has_problem("KAIORETRY_CONNECT_MIN_DELAY: [connect] min_delay 2"));
}
END_TEST

START_TEST(secure_process_ignores_env)
{
	char *env[] = { "KAIORETRY_TRIES=0", "KAIORETRY_CONFIG=/nonexistent",
			NULL };
	struct config_sources src = { .env = env, .secure = true };
	config_load(&cfg, &src);
	ck_assert(!cfg.pass_through);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].tries, -1);
}
END_TEST

START_TEST(master_switch_off)
{
	char *env[] = { "KAIORETRY=off", "KAIORETRY_TRIES=0",
			"KAIORETRY_STRICT=maybe", NULL };
	load(env);
	ck_assert(cfg.pass_through);
	ck_assert_int_eq(cfg.problem_count, 0);	/* off is silent */
}
END_TEST

/* The built-in deadline bounds only the built-in tries=-1: whoever sets
 * tries or deadline, in whatever scope, gets exactly that. */
START_TEST(setting_tries_or_deadline_replaces_the_builtin_bound)
{
	write_ini("[connect]\ntries = -1\n[read]\ndeadline = 3\n"
		  "[connect 10.0.0.0/8]\ndelay = 1\n"
		  "[getaddrinfo *.internal]\ntries = 4\n");
	char config[128];
	snprintf(config, sizeof(config), "KAIORETRY_CONFIG=%s", ini_path);
	char *env[] = { config, "KAIORETRY_SEND_TRIES=5", NULL };
	load(env);
	ck_assert_msg(!cfg.pass_through, "%s", cfg.problem[0]);
	const struct policy *connect = &cfg.policy[FAMILY_CONNECT];
	ck_assert_int_eq(connect->tries, -1);	/* until it works */
	ck_assert_double_eq(connect->deadline, SECONDS_UNSET);
	ck_assert(!connect->deadline_builtin);
	ck_assert_double_eq(cfg.policy[FAMILY_READ].deadline, 3);
	ck_assert(!cfg.policy[FAMILY_READ].deadline_builtin);
	ck_assert_double_eq(cfg.policy[FAMILY_SEND].deadline, SECONDS_UNSET);
	/* Families nobody touched keep the bound. */
	ck_assert_double_eq(cfg.policy[FAMILY_ACCEPT].deadline, 10);
	ck_assert(cfg.policy[FAMILY_ACCEPT].deadline_builtin);
	/* Destinations: inherited from their family, or their own. */
	for (int d = 0; d < cfg.destination_count; d++) {
		const struct destination *dest = &cfg.destination[d];
		ck_assert_double_eq(dest->policy.deadline, SECONDS_UNSET);
		ck_assert(!dest->policy.deadline_builtin);
	}
	ck_assert_double_eq(cfg.policy[FAMILY_GETADDRINFO].deadline, 10);
}
END_TEST

/* The built-in cap never sleeps less than a delay or min_delay the user
 * set; a min_delay above it is not a contradiction to refuse. */
START_TEST(builtin_cap_rises_to_what_the_user_set)
{
	char *env[] = { "KAIORETRY_CONNECT_MIN_DELAY=5",
			"KAIORETRY_READ_DELAY=3", NULL };
	load(env);
	ck_assert_msg(!cfg.pass_through, "%s", cfg.problem[0]);
	ck_assert_double_eq(cfg.policy[FAMILY_CONNECT].max_delay, 5);
	ck_assert_double_eq(cfg.policy[FAMILY_READ].max_delay, 3);
	ck_assert_double_eq(cfg.policy[FAMILY_SEND].max_delay, 2);
	char *chosen[] = { "KAIORETRY_MIN_DELAY=5", "KAIORETRY_MAX_DELAY=4",
			   NULL };
	load(chosen);
	ck_assert(cfg.pass_through);	/* a real contradiction */
	ck_assert(has_problem("min_delay 5 is above max_delay 4"));
	char *uncapped[] = { "KAIORETRY_MAX_DELAY= none ", NULL };
	load(uncapped);	/* kaioretry's None */
	ck_assert_msg(!cfg.pass_through, "%s", cfg.problem[0]);
	ck_assert_double_eq(cfg.policy[FAMILY_CONNECT].max_delay,
			    DELAY_UNBOUNDED);
}
END_TEST

START_TEST(untrusted_file_refused)
{
	write_ini("tries = 2\n");
	chmod(ini_path, 0666);
	char config[128];
	snprintf(config, sizeof(config), "KAIORETRY_CONFIG=%s", ini_path);
	char *env[] = { config, NULL };
	load(env);
	ck_assert(cfg.pass_through);
	ck_assert(has_problem("writable by group or others"));
}
END_TEST

/* The origin helpers cut exactly where snprintf would, at every size. */
START_TEST(origins_cut_as_snprintf_does)
{
	static const char *const paths[] = { "", "/etc/kaioretry.ini", "a" };
	static const int lines[] = { 0, 7, 42, 12345, -3, 2147483647 };
	for (size_t p = 0; p < sizeof(paths) / sizeof(*paths); p++)
		for (size_t l = 0; l < sizeof(lines) / sizeof(*lines); l++)
			for (size_t size = 1; size < 40; size++) {
				char got[40], want[40];
				memset(got, '#', sizeof(got));
				origin_at(got, size, paths[p], lines[l]);
				snprintf(want, size, "%s:%d", paths[p], lines[l]);
				ck_assert_str_eq(got, want);
				memset(got, '#', sizeof(got));
				copy_cut(got, size, "KAIORETRY_TRIES=3", 15);
				snprintf(want, size, "%.*s", 15, "KAIORETRY_TRIES=3");
				ck_assert_str_eq(got, want);
				copy_cut(got, size, "ab", 15);	/* stops at the NUL */
				ck_assert_str_eq(got, size > 2 ? "ab" : size == 2 ? "a" : "");
			}
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("sources");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, builtin_defaults);
	tcase_add_test(tc, origins_cut_as_snprintf_does);
	tcase_add_test(tc, precedence_lowest_to_highest);
	tcase_add_test(tc, ini_syntax);
	tcase_add_test(tc, duplicate_keys_last_wins);
	tcase_add_loop_test(tc, bad_ini_rejected, 0,
			    sizeof(bad_inis) / sizeof(bad_inis[0]));
	tcase_add_loop_test(tc, bad_env_rejected, 0,
			    sizeof(bad_envs) / sizeof(bad_envs[0]));
	tcase_add_test(tc, min_above_max_across_sources);
	tcase_add_test(tc, secure_process_ignores_env);
	tcase_add_test(tc, master_switch_off);
	tcase_add_test(tc, setting_tries_or_deadline_replaces_the_builtin_bound);
	tcase_add_test(tc, builtin_cap_rises_to_what_the_user_set);
	tcase_add_test(tc, untrusted_file_refused);
	suite_add_tcase(s, tc);
	return s;
}
