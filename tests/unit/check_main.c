/* check_main.c: runs every unit suite.  Each suite file exports one
 * `Suite *name_suite(void)` listed here. */
#include <check.h>
#include <stdlib.h>

Suite *delay_suite(void);
Suite *values_suite(void);
Suite *errnames_suite(void);
Suite *config_suite(void);
Suite *inject_spec_suite(void);
Suite *spread_suite(void);
Suite *beyond_suite(void);
Suite *scope_suite(void);
Suite *text_suite(void);
Suite *localclock_suite(void);
Suite *nonblocking_suite(void);
Suite *addrmatch_suite(void);
Suite *target_suite(void);
Suite *structured_suite(void);
Suite *ready_suite(void);

int main(void)
{
	SRunner *runner = srunner_create(delay_suite());
	srunner_add_suite(runner, values_suite());
	srunner_add_suite(runner, errnames_suite());
	srunner_add_suite(runner, config_suite());
	srunner_add_suite(runner, inject_spec_suite());
	srunner_add_suite(runner, spread_suite());
	srunner_add_suite(runner, beyond_suite());
	srunner_add_suite(runner, scope_suite());
	srunner_add_suite(runner, text_suite());
	srunner_add_suite(runner, localclock_suite());
	srunner_add_suite(runner, nonblocking_suite());
	srunner_add_suite(runner, addrmatch_suite());
	srunner_add_suite(runner, target_suite());
	srunner_add_suite(runner, structured_suite());
	srunner_add_suite(runner, ready_suite());
	srunner_run_all(runner, CK_NORMAL);
	int failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
