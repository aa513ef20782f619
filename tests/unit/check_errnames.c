/* check_errnames.c: the name tables, both ways. */
#include <check.h>
#include <errno.h>
#include <netdb.h>
#include <string.h>

#include "errnames.h"

START_TEST(every_glibc_errno_has_a_name)
{
	for (int code = 1; code < 134; code++) {
		const char *glibc = strerrorname_np(code);
		if (!glibc)
			continue;
		ck_assert_int_eq(errname_code(glibc, strlen(glibc)), code);
		ck_assert_str_eq(errname_of(code), glibc);
	}
}
END_TEST

START_TEST(aliases_and_eai)
{
	ck_assert_int_eq(errname_code("EWOULDBLOCK", 11), EAGAIN);
	ck_assert_int_eq(errname_code("EAI_AGAIN", 9), EAI_AGAIN);
	ck_assert_str_eq(errname_of(EAI_AGAIN), "EAI_AGAIN");
	ck_assert_str_eq(errname_describe(EAI_AGAIN),
			 "Temporary failure in name resolution");
	ck_assert_str_eq(errname_describe(ECONNREFUSED), "Connection refused");
	ck_assert_int_eq(errname_code("ECONNREFUSEDX", 13), 0);
	ck_assert_int_eq(errname_code("ECONN", 5), 0);
	ck_assert_int_eq(errname_code("", 0), 0);
	ck_assert_ptr_null(errname_of(9999));
}
END_TEST

Suite *errnames_suite(void)
{
	Suite *s = suite_create("errnames");
	TCase *tc = tcase_create("tables");
	tcase_add_test(tc, every_glibc_errno_has_a_name);
	tcase_add_test(tc, aliases_and_eai);
	suite_add_tcase(s, tc);
	return s;
}
