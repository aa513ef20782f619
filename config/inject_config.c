/* inject_config.c: where fault injection settings come from: the
 * [inject] INI section (rules =, seed =) and KAIORETRY_INJECT and
 * KAIORETRY_SEED.  The loader reads the file first and the environment
 * after it, so the environment wins; a bad spec is a config problem
 * like any other. */
#include "inject_config.h"

#include "inject_spec.h"
#include "values.h"

bool inject_key_known(const char *key, size_t len)
{
	return name_is(key, len, "rules") || name_is(key, len, "seed");
}

void inject_setting(struct config *cfg, const char *origin, const char *key,
		    size_t key_len, const char *value, size_t value_len)
{
	char why[INJECT_WHY_MAX];
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
