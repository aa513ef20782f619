/* env.c: the environment's KAIORETRY_* variables.  KAIORETRY_KEY and
 * KAIORETRY_FAMILY_KEY become assignments (assign.c); INJECT and SEED
 * go to the fault injection settings; CONFIG, STRICT and LIBRARY are
 * read elsewhere, and anything else is reported as a likely typo. */
#include <string.h>

#include "inject_config.h"
#include "loader.h"
#include "settings.h"
#include "values.h"

#define PREFIX "KAIORETRY_"
#define PREFIX_LEN (sizeof(PREFIX) - 1)

/* Variables that are not settings but are ours all the same. */
static bool is_control_variable(const char *name, size_t len)
{
	return name_is(name, len, "CONFIG") || name_is(name, len, "STRICT") ||
	       name_is(name, len, "LIBRARY");
}

void load_variable(struct loader *ld, const char *entry)
{
	const char *eq = strchr(entry, '=');
	if (!eq || strncmp(entry, PREFIX, PREFIX_LEN) != 0)
		return;
	const char *name = entry + PREFIX_LEN;
	size_t len = (size_t)(eq - name);
	const char *value = eq + 1;
	size_t value_len = strlen(value);
	char origin[ORIGIN_MAX], q[64];
	copy_cut(origin, sizeof(origin), entry, (size_t)(eq - entry));

	if (is_control_variable(name, len))
		return;
	if (name_is(name, len, "INJECT") || name_is(name, len, "SEED") ||
	    name_is(name, len, "INJECT_REPORT")) {
		const char *key = name_is(name, len, "SEED") ? "seed" :
				  name_is(name, len, "INJECT") ? "rules" : "report";
		inject_setting(ld->cfg, origin, key, strlen(key), value,
			       value_len);
		return;
	}
	int gk = global_key_by_name(name, len);
	int pk = policy_key_by_name(name, len);
	if (gk >= 0 || pk >= 0) {
		loader_add(ld, RANK_ENV, SCOPE_ALL, pk, gk, -1, value, value_len,
			   origin);
		return;
	}
	for (int f = 0; f < FAMILY_COUNT; f++) {
		size_t flen = strlen(family_name(f));
		if (len <= flen + 1 || name[flen] != '_' ||
		    !name_is(name, flen, family_name(f)))
			continue;
		pk = policy_key_by_name(name + flen + 1, len - flen - 1);
		if (pk >= 0 && family_never_retried(f)) {
			config_problem(ld->cfg, origin, "%s", NEVER_RETRIED_WHY);
			return;
		}
		if (pk >= 0) {
			loader_add(ld, RANK_ENV_FAMILY, f, pk, -1, -1, value,
				   value_len, origin);
			return;
		}
	}
	config_problem(ld->cfg, origin, "unknown variable (is '%s' a typo?)",
		       quoted(name, len, q));
}

const char *env_value(char *const *env, const char *name)
{
	size_t len = strlen(name);
	for (; env && *env; env++)
		if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}
