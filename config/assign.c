/* assign.c: the assignment list and the precedence rule.
 *
 * Every source (sections.c for the INI file, env.c for the environment)
 * is first turned into assignments (scope, key, value, origin, rank);
 * applying them rank by rank gives the precedence rule in one place.
 * The list is static and the loaders fill it below ASSIGNMENTS_MAX:
 * nothing here allocates, and the shim loads its config once. */
#include "loader.h"

#include <string.h>

#include "settings.h"

#define ASSIGNMENTS_MAX 512

struct assignment {
	enum rank rank;
	int family;		/* SCOPE_ALL or a family */
	int policy_key;		/* or -1 for a global key */
	int global_key;
	int destination;	/* index, or -1 */
	const char *value;
	size_t value_len;
	char origin[ORIGIN_MAX];
};

static struct assignment assignments[ASSIGNMENTS_MAX];

void loader_reset(struct loader *ld, struct config *cfg)
{
	*ld = (struct loader){ .cfg = cfg, .section = SCOPE_ALL,
			       .section_rank = RANK_INI_DEFAULT,
			       .destination = -1, .list = assignments };
}

void loader_add(struct loader *ld, enum rank rank, int family,
		int policy_key, int global_key, int destination,
		const char *value, size_t len, const char *origin)
{
	if (ld->count == ASSIGNMENTS_MAX) {
		config_problem(ld->cfg, origin, "more than %d settings",
			       ASSIGNMENTS_MAX);
		return;
	}
	struct assignment *a = &ld->list[ld->count++];
	*a = (struct assignment){ rank, family, policy_key, global_key,
				  destination, value, len, "" };
	copy_cut(a->origin, sizeof(a->origin), origin, strlen(origin));
}

/* --- applying --- */

/* Keys that mean something for connect only. */
static bool connect_only(int policy_key)
{
	return policy_key == KEY_ATTEMPT_TIMEOUT || policy_key == KEY_READY;
}

static const char *apply_policy(struct config *cfg, const struct assignment *a)
{
	const char *why = NULL;
	if (a->destination >= 0)
		return policy_set(&cfg->destination[a->destination].policy,
				  a->policy_key, a->value, a->value_len);
	for (int f = 0; f < FAMILY_COUNT; f++) {
		if (a->family != SCOPE_ALL && a->family != f)
			continue;
		if (connect_only(a->policy_key) && f != FAMILY_CONNECT)
			continue;	/* connect only; checked on connect */
		why = policy_set(&cfg->policy[f], a->policy_key, a->value,
				 a->value_len);
		if (why)
			return why;
		memcpy(cfg->origin[f][a->policy_key], a->origin, ORIGIN_MAX);
		cfg->origin_set[f] |= (uint16_t)(1u << a->policy_key);
		/* The environment overrides destination sections too. */
		for (int d = 0; a->rank >= RANK_ENV &&
				d < cfg->destination_count; d++)
			if (cfg->destination[d].family == (enum family)f)
				policy_set(&cfg->destination[d].policy,
					   a->policy_key, a->value,
					   a->value_len);
	}
	return NULL;
}

static void apply(struct loader *ld, const struct assignment *a)
{
	struct config *cfg = ld->cfg;
	char q[64];
	const char *why = NULL;

	if (a->global_key >= 0)
		why = global_set(cfg, a->global_key, a->value, a->value_len);
	else if (connect_only(a->policy_key) && a->family != SCOPE_ALL &&
		 a->family != FAMILY_CONNECT)
		why = a->policy_key == KEY_READY ?
		      "ready applies to connect only" :
		      "attempt_timeout applies to connect only";
	else
		why = apply_policy(cfg, a);
	if (why)
		config_problem(cfg, a->origin, "'%s': %s",
			       quoted(a->value, a->value_len, q), why);
}

static void validate(struct config *cfg)
{
	for (int f = 0; f < FAMILY_COUNT; f++) {
		policy_cap_settle(&cfg->policy[f]);
		const struct policy *p = &cfg->policy[f];
		if (p->max_delay != DELAY_UNBOUNDED && p->min_delay > p->max_delay)
			config_problem(cfg, config_origin(cfg, f, KEY_MIN_DELAY),
				       "[%s] min_delay %g is above max_delay "
				       "%g (%s)", family_name(f), p->min_delay,
				       p->max_delay,
				       config_origin(cfg, f, KEY_MAX_DELAY));
	}
	for (int d = 0; d < cfg->destination_count; d++) {
		struct destination *dest = &cfg->destination[d];
		policy_cap_settle(&dest->policy);
		const struct policy *p = &dest->policy;
		dest->policy.enabled = cfg->policy[dest->family].enabled;
		char origin[ORIGIN_MAX];
		origin_at(origin, sizeof(origin), cfg->file, dest->line);
		if (p->max_delay != DELAY_UNBOUNDED && p->min_delay > p->max_delay)
			config_problem(cfg, origin, "[%s %s] min_delay %g is "
				       "above max_delay %g",
				       family_name(dest->family), dest->text,
				       p->min_delay, p->max_delay);
	}
}

/* Destination sections start from their family's policy as the INI
 * file's plainer sections left it. */
static void inherit_destinations(struct config *cfg)
{
	for (int d = 0; d < cfg->destination_count; d++)
		cfg->destination[d].policy =
			cfg->policy[cfg->destination[d].family];
}

const char *config_origin(const struct config *cfg, int f, int k)
{
	return cfg->origin_set[f] >> k & 1 ? cfg->origin[f][k] : "built-in";
}

void apply_all(struct loader *ld)
{
	for (enum rank r = RANK_INI_DEFAULT; r <= RANK_ENV_FAMILY; r++) {
		if (r == RANK_INI_DESTINATION)
			inherit_destinations(ld->cfg);
		for (int i = 0; i < ld->count; i++)
			if (ld->list[i].rank == r)
				apply(ld, &ld->list[i]);
	}
	validate(ld->cfg);
	if (ld->cfg->problem_count || ld->cfg->program_unselected)
		ld->cfg->pass_through = true;
}
