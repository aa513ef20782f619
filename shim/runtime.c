/* runtime.c: loads the configuration once and publishes it, read-only,
 * to every thread; reports problems; and runs the constructor.
 *
 * The constructor loads eagerly so KAIORETRY_STRICT can stop a program
 * before main.  A wrapped call that fails before the constructor ran
 * (from another library's constructor) loads it on the spot.  Nothing
 * else happens at start-up: libc's functions are looked up and the time
 * zone read when first needed (real.h, hooks.c). */
#include "runtime.h"

#include <errno.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sysexits.h>
#include <unistd.h>

#include "connect_timeout.h"
#include "guard.h"
#include "inject.h"
#include "instance.h"
#include "log.h"
#include "ready.h"

enum { UNLOADED, LOADING, READY };

static struct config the_config;
static int state = UNLOADED;

__thread int guard_depth __attribute__((tls_model("initial-exec")));

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

/* errno at main is what the program would see without us: whatever
 * the loading leaves (access of /etc/kaioretry.ini) is put back. */
__attribute__((constructor)) static void runtime_start(void)
{
	int saved = errno;
	const struct config *cfg = runtime_config();
	/* Bounds wrap injectors, so injected faults land beneath them. */
	inject_start(cfg);
	if (cfg) {
		connect_timeout_install(cfg);
		ready_install(cfg);	/* outermost: checks before bounds */
	}
	errno = saved;
}
