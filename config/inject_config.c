/* inject_config.c: where fault injection settings come from: the
 * [inject] INI section (rules =, seed =, report =) and
 * KAIORETRY_INJECT, KAIORETRY_SEED and KAIORETRY_INJECT_REPORT.  The loader reads the file first and the environment
 * after it, so the environment wins; a bad spec is a config problem
 * like any other. */
#include "inject_config.h"

#include <string.h>

#include "inject_spec.h"
#include "values.h"

bool inject_key_known(const char *key, size_t len)
{
	return name_is(key, len, "rules") || name_is(key, len, "seed") ||
	       name_is(key, len, "report");
}

static void set_report(struct config *cfg, const char *origin,
		       const char *value, size_t len)
{
	value = trim(value, &len);
	if (len == 0 || len >= sizeof(cfg->inject.report) ||
	    memchr(value, '\0', len))
		config_problem(cfg, origin, "report: expected a file name of "
			       "1 to %d bytes", (int)sizeof(cfg->inject.report) - 1);
	else {
		memcpy(cfg->inject.report, value, len);
		cfg->inject.report[len] = '\0';
	}
}

void inject_setting(struct config *cfg, const char *origin, const char *key,
		    size_t key_len, const char *value, size_t value_len)
{
	char why[INJECT_WHY_MAX];
	if (name_is(key, key_len, "report")) {
		set_report(cfg, origin, value, value_len);
		return;
	}
	if (name_is(key, key_len, "seed")) {
		const char *bad = inject_parse_seed(value, value_len,
						    &cfg->inject.seed);
		if (bad)
			config_problem(cfg, origin, "seed: %s", bad);
		else
			cfg->inject.seed_given = true;
		return;
	}
	if (!inject_parse(value, value_len, &cfg->inject, why))
		config_problem(cfg, origin, "%s", why);
}
