/* check_nonblocking.c: the `nonblocking` policy key from every source. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_fixture.h"


START_TEST(pass_is_the_default)
{
	char *env[] = { NULL };
	load(env);
	for (int f = 0; f < FAMILY_COUNT; f++)
		ck_assert_int_eq(cfg.policy[f].nonblocking, NONBLOCKING_PASS);
}
END_TEST

START_TEST(generic_and_per_family_env)
{
	char *generic[] = { "KAIORETRY_NONBLOCKING=wait", NULL };
	load(generic);
	ck_assert(!cfg.pass_through);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].nonblocking, NONBLOCKING_WAIT);
	ck_assert_int_eq(cfg.policy[FAMILY_READ].nonblocking, NONBLOCKING_WAIT);

	char *family[] = { "KAIORETRY_CONNECT_NONBLOCKING=WAIT", NULL };
	load(family);
	ck_assert(!cfg.pass_through);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].nonblocking, NONBLOCKING_WAIT);
	ck_assert_int_eq(cfg.policy[FAMILY_READ].nonblocking, NONBLOCKING_PASS);
	ck_assert_str_eq(config_origin(&cfg, FAMILY_CONNECT, KEY_NONBLOCKING),
			 "KAIORETRY_CONNECT_NONBLOCKING");

	char *both[] = { "KAIORETRY_NONBLOCKING=wait",
			 "KAIORETRY_CONNECT_NONBLOCKING=pass", NULL };
	load(both);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].nonblocking, NONBLOCKING_PASS);
	ck_assert_int_eq(cfg.policy[FAMILY_SEND].nonblocking, NONBLOCKING_WAIT);
}
END_TEST

START_TEST(ini_section)
{
	char path[] = "/tmp/kaioretry-unit-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "[default]\nnonblocking = pass\n"
			   "[connect]\nnonblocking = wait # drive it\n";
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	fchmod(fd, 0644);
	close(fd);
	char config[64];
	snprintf(config, sizeof(config), "KAIORETRY_CONFIG=%s", path);
	char *env[] = { config, NULL };
	load(env);
	unlink(path);
	ck_assert(!cfg.pass_through);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].nonblocking, NONBLOCKING_WAIT);
	ck_assert_int_eq(cfg.policy[FAMILY_ACCEPT].nonblocking, NONBLOCKING_PASS);
}
END_TEST

START_TEST(bad_value_rejected)
{
	char *env[] = { "KAIORETRY_CONNECT_NONBLOCKING=block", NULL };
	load(env);
	ck_assert(cfg.pass_through);
	ck_assert_int_eq(cfg.problem_count, 1);
	ck_assert_ptr_nonnull(strstr(cfg.problem[0], "KAIORETRY_CONNECT_NONBLOCKING"));
	ck_assert_ptr_nonnull(strstr(cfg.problem[0], "expected pass or wait"));
}
END_TEST

Suite *nonblocking_suite(void)
{
	Suite *s = suite_create("nonblocking");
	TCase *tc = tcase_create("key");
	tcase_add_test(tc, pass_is_the_default);
	tcase_add_test(tc, generic_and_per_family_env);
	tcase_add_test(tc, ini_section);
	tcase_add_test(tc, bad_value_rejected);
	suite_add_tcase(s, tc);
	return s;
}
