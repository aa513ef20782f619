/* runtime.c: loads the configuration once and publishes it, read-only,
 * to every thread, and reports its problems.
 *
 * The constructor (start.c) loads it eagerly so KAIORETRY_STRICT can
 * stop a program before main.  A wrapped call that fails before the
 * constructor ran (from another library's constructor) loads it on the
 * spot. */
#include "runtime.h"

#include <errno.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sysexits.h>
#include <unistd.h>

#include "guard.h"
#include "instance.h"
#include "log.h"

enum { UNLOADED, LOADING, READY };

static struct config the_config;
static int state = UNLOADED;

extern char **environ;

static void report_problems(const struct config *cfg)
{
	char line[PROBLEM_MAX + 64];
	for (int i = 0; i < cfg->problem_count && i < PROBLEMS_KEPT; i++)
		log_problem(&cfg->log, cfg->problem[i]);
	if (cfg->problem_count > PROBLEMS_KEPT) {
		snprintf(line, sizeof(line), "... and %d more problems",
			 cfg->problem_count - PROBLEMS_KEPT);
		log_problem(&cfg->log, line);
	}
	if (cfg->strict) {
		snprintf(line, sizeof(line), "configuration rejected; exiting "
			 "with status %d (KAIORETRY_STRICT=1)", EX_CONFIG);
		log_problem(&cfg->log, line);
	} else {
		log_problem(&cfg->log, "configuration rejected; every call "
			    "passes through untouched");
	}
}

/* The executable's path, for [program:NAME]; "" when unknown. */
static const char *exe_path(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void load(void)
{
	struct config_sources src = {
		.env = environ,
		.secure = getauxval(AT_SECURE) != 0,
		.default_file = "/etc/kaioretry.ini",
		.program = { NULL, program_invocation_name },
		.read_exe = exe_path,
	};
	guard_enter();
	if (!instance_is_first()) {
		the_config.pass_through = true;	/* the first copy retries */
		guard_leave();
		return;
	}
	config_load(&the_config, &src);
	if (the_config.problem_count) {
		report_problems(&the_config);
		if (the_config.strict)
			_exit(EX_CONFIG);
	}
	guard_leave();
}

const struct config *runtime_config(void)
{
	int expected = UNLOADED;
	if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == READY)
		return &the_config;
	if (!__atomic_compare_exchange_n(&state, &expected, LOADING, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return NULL;
	load();
	__atomic_store_n(&state, READY, __ATOMIC_RELEASE);
	return &the_config;
}
