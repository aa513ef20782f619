/* load.c: the entry points of config.h.  It sets the defaults, reads
 * the sources in their order (the INI file through file.c and
 * sections.c, then the environment through env.c) and has assign.c
 * apply what they found by precedence.  Nothing here allocates: the
 * shim loads its config once. */
#include "config.h"

#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "loader.h"
#include "program.h"
#include "values.h"

/* The arrays set_defaults leaves as they are (struct config keeps them
 * last): each entry is written before it is read, below a count or
 * under a bit that is zeroed.  Zeroing all 53 KB of the config was most
 * of the start-up's instructions and a dozen page faults. */
#define BULK(field) { offsetof(struct config, field), \
		      sizeof(((struct config *)0)->field) }
static const struct { size_t at, size; } bulk[] = {
	BULK(inject.rule),	/* below inject.count */
	BULK(origin),		/* under origin_set */
	BULK(problem),		/* below problem_count */
	BULK(destination),	/* below destination_count */
};
_Static_assert(offsetof(struct config, inject.rule) <
	       offsetof(struct config, origin) &&
	       offsetof(struct config, origin) <
	       offsetof(struct config, problem) &&
	       offsetof(struct config, problem) <
	       offsetof(struct config, destination), "bulk[] out of order");
_Static_assert(POLICY_KEY_COUNT <= 16, "origin_set holds 16 bits");

/* Zeroes everything else, wherever a new field lands. */
static void zero_all_but_bulk(struct config *cfg)
{
	size_t from = 0;
	for (size_t i = 0; i < sizeof(bulk) / sizeof(bulk[0]); i++) {
		memset((char *)cfg + from, 0, bulk[i].at - from);
		from = bulk[i].at + bulk[i].size;
	}
	memset((char *)cfg + from, 0, sizeof(*cfg) - from);
}

static void set_defaults(struct config *cfg)
{
	zero_all_but_bulk(cfg);
	for (int f = 0; f < FAMILY_COUNT; f++)
		policy_builtin(&cfg->policy[f], f);
	cfg->log.sink = SINK_SYSLOG;
	strcpy(cfg->log.path, "/dev/log");
	cfg->log.facility = LOG_USER;
	cfg->log.level = LOG_INFO;
}

static void load_sources(struct config *cfg, const struct config_sources *src)
{
	struct loader loader, *ld = &loader;
	char *const *env = src->secure ? NULL : src->env;
	const char *master = env_value(env, "KAIORETRY");
	const char *strict = env_value(env, "KAIORETRY_STRICT");
	const char *path = env_value(env, "KAIORETRY_CONFIG");
	bool on = true;

	set_defaults(cfg);
	program_names(cfg, src);
	loader_reset(ld, cfg);

	/* Off is silent whatever else is set: nothing else is read. */
	if (master && parse_switch(master, strlen(master), &on))
		config_problem(cfg, "KAIORETRY", "expected on or off");
	if (!on) {
		cfg->pass_through = true;
		return;
	}
	if (strict && parse_switch(strict, strlen(strict), &cfg->strict))
		config_problem(cfg, "KAIORETRY_STRICT", "expected 1 or 0");
	if (path && !*path)
		config_problem(cfg, "KAIORETRY_CONFIG", "empty path");
	else if (path)
		load_ini_file(ld, path);
	else if (src->default_file && access(src->default_file, F_OK) == 0)
		load_ini_file(ld, src->default_file);
	for (; env && *env; env++)
		load_variable(ld, *env);
	apply_all(ld);
}

void config_load(struct config *cfg, const struct config_sources *src)
{
	load_sources(cfg, src);
	cfg->read_exe = NULL;	/* names are matched only while loading */
}

void config_check_file(struct config *cfg, const char *path)
{
	struct loader loader, *ld = &loader;
	set_defaults(cfg);
	loader_reset(ld, cfg);
	load_ini_file(ld, path);
	apply_all(ld);
}

void config_check_text(struct config *cfg, const char *name,
		       const char *text, size_t len)
{
	struct loader loader, *ld = &loader;
	set_defaults(cfg);
	loader_reset(ld, cfg);
	load_ini_text(ld, name, text, len);
	apply_all(ld);
}
