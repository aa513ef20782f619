/* load.c: the assignment list and the precedence rule.
 *
 * Every source (sections.c for the INI file, env.c for the environment)
 * is first turned into assignments (scope, key, value, origin, rank);
 * applying them rank by rank gives the precedence rule in one place.
 * Also the defaults, problems, and the entry points of config.h.
 * Nothing here allocates: the shim loads its config once. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "loader.h"
#include "program.h"
#include "settings.h"
#include "values.h"

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

void config_problem(struct config *cfg, const char *origin,
		    const char *fmt, ...)
{
	if (cfg->problem_count < PROBLEMS_KEPT) {
		char *out = cfg->problem[cfg->problem_count];
		int n = snprintf(out, PROBLEM_MAX, "%s: ", origin);
		if (n < 0 || n >= PROBLEM_MAX / 2)	/* a long path */
			n = snprintf(out, PROBLEM_MAX, "%.*s...: ",
				     PROBLEM_MAX / 2 - 8, origin);
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(out + n, PROBLEM_MAX - (size_t)n, fmt, ap);
		va_end(ap);
	}
	cfg->problem_count++;
}

/* The value as it may appear in a message: printable ASCII, shortened. */
const char *quoted(const char *v, size_t len, char out[64])
{
	size_t o = 0;
	for (size_t i = 0; i < len && o < 56; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, 8, "\\x%02x", c);
	}
	if (o >= 56)
		o = 56, memcpy(out + o, "...", 3), o += 3;
	out[o] = '\0';
	return out;
}

void copy_cut(char *out, size_t size, const char *s, size_t len)
{
	if (size == 0)
		return;
	len = strnlen(s, len < size - 1 ? len : size - 1);
	memcpy(out, s, len);
	out[len] = '\0';
}

void origin_at(char *out, size_t size, const char *path, int line)
{
	char digits[16], *d = digits + sizeof(digits);
	unsigned n = line < 0 ? 0u - (unsigned)line : (unsigned)line;
	*--d = '\0';
	do
		*--d = (char)('0' + n % 10);
	while (n /= 10);
	if (line < 0)
		*--d = '-';
	copy_cut(out, size, path, strlen(path));
	size_t used = strlen(out);
	if (used + 1 < size) {
		out[used] = ':';
		copy_cut(out + used + 1, size - used - 1, d, strlen(d));
	}
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

static const char *apply_policy(struct config *cfg, const struct assignment *a)
{
	const char *why = NULL;
	if (a->destination >= 0)
		return policy_set(&cfg->destination[a->destination].policy,
				  a->policy_key, a->value, a->value_len);
	for (int f = 0; f < FAMILY_COUNT; f++) {
		if (a->family != SCOPE_ALL && a->family != f)
			continue;
		if (a->policy_key == KEY_ATTEMPT_TIMEOUT && f != FAMILY_CONNECT)
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
	else if (a->policy_key == KEY_ATTEMPT_TIMEOUT &&
		 a->family != SCOPE_ALL && a->family != FAMILY_CONNECT)
		why = "attempt_timeout applies to connect only";
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

static void apply_all(struct loader *ld)
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

static struct assignment assignments[ASSIGNMENTS_MAX];

static void loader_reset(struct loader *ld, struct config *cfg)
{
	*ld = (struct loader){ .cfg = cfg, .section = SCOPE_ALL,
			       .section_rank = RANK_INI_DEFAULT,
			       .destination = -1, .list = assignments };
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
