/* load.c: gathers settings from the INI file and the environment and
 * applies them in precedence order.
 *
 * Every source is first turned into assignments (scope, key, value,
 * origin, rank); applying them rank by rank gives the precedence rule
 * in one place.  Nothing here allocates: the file is read into a static
 * buffer, which is safe because the shim loads its config once. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "ini.h"
#include "inject_config.h"
#include "program.h"
#include "settings.h"
#include "values.h"

#define FILE_MAX 65536
#define ASSIGNMENTS_MAX 512
#define SCOPE_ALL (-1)

enum rank {
	RANK_INI_DEFAULT = 1, RANK_INI_FAMILY, RANK_INI_PROGRAM,
	RANK_INI_PROGRAM_FAMILY, RANK_INI_DESTINATION, RANK_ENV,
	RANK_ENV_FAMILY
};

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

struct loader {
	struct config *cfg;
	const char *path;
	int section;		/* SCOPE_ALL for [default], a family, or
				 * SECTION_UNKNOWN after a bad header */
	enum rank section_rank;
	int destination;	/* the section's destination, or -1 */
	bool section_elsewhere;	/* [program:NAME] of another program:
				 * values are checked, not applied */
	int count;
	struct assignment *list;	/* assignments[]: a loader lives on the
					 * stack, and a config with no setting
					 * never touches the 160 KB list */
};

#define SECTION_UNKNOWN (-2)
#define SECTION_INJECT (-3)

static char file_text[FILE_MAX + 1];

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
static const char *quoted(const char *v, size_t len, char out[64])
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

static void add_to(struct loader *ld, enum rank rank, int family,
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
	snprintf(a->origin, sizeof(a->origin), "%s", origin);
}

static void add(struct loader *ld, enum rank rank, int family, int policy_key,
		int global_key, const char *value, size_t len, const char *origin)
{
	add_to(ld, rank, family, policy_key, global_key, -1, value, len,
	       origin);
}

/* --- INI --- */

/* "family" or "family/..." at the start of name: the family, its
 * length in *used; -1 when none. */
static int leading_family(const char *name, size_t len, size_t *used)
{
	for (int f = 0; f < FAMILY_COUNT; f++) {
		size_t flen = strlen(family_name(f));
		if (len >= flen && name_is(name, flen, family_name(f)) &&
		    (len == flen || name[flen] == ' ' || name[flen] == '\t')) {
			*used = flen;
			return f;
		}
	}
	return -1;
}

/* [program:NAME] or [program:NAME/family]. */
static const char *program_section(struct loader *ld, const char *name,
				   size_t len)
{
	const char *slash = memchr(name, '/', len);
	size_t glob_len = slash ? (size_t)(slash - name) : len;
	if (glob_len == 0)
		return "[program:NAME] needs a NAME";
	ld->section = SCOPE_ALL;
	ld->section_rank = RANK_INI_PROGRAM;
	if (slash) {
		size_t flen = len - glob_len - 1;
		ld->section = family_by_name(slash + 1, flen);
		if (ld->section < 0)
			return "unknown family after '/' in [program:NAME/family]";
		ld->section_rank = RANK_INI_PROGRAM_FAMILY;
	}
	ld->section_elsewhere = !program_matches(ld->cfg, name, glob_len);
	return NULL;
}

/* [family PATTERN]. */
static const char *destination_section(struct loader *ld, int family,
				       const char *pattern, size_t len,
				       int line)
{
	struct config *cfg = ld->cfg;
	if (cfg->destination_count == DESTINATIONS_MAX)
		return "more than 32 destination sections";
	struct destination *d = &cfg->destination[cfg->destination_count];
	const char *why = dest_parse(family, pattern, len, &d->pattern);
	if (why)
		return why;
	pattern = trim(pattern, &len);
	d->family = family;
	snprintf(d->text, sizeof(d->text), "%.*s", (int)len, pattern);
	d->line = line;
	ld->section = family;
	ld->section_rank = RANK_INI_DESTINATION;
	ld->destination = cfg->destination_count++;
	return NULL;
}

static void on_section(void *ctx, int line, const char *name, size_t len)
{
	struct loader *ld = ctx;
	char origin[ORIGIN_MAX], q[64];
	const char *why = NULL;
	size_t used;
	snprintf(origin, sizeof(origin), "%s:%d", ld->path, line);
	ld->destination = -1;
	ld->section_elsewhere = false;
	if (name_is(name, len, "default")) {
		ld->section = SCOPE_ALL;
		ld->section_rank = RANK_INI_DEFAULT;
		return;
	}
	if (name_is(name, len, "inject")) {
		ld->section = SECTION_INJECT;
		return;
	}
	int f = leading_family(name, len, &used);
	if (f >= 0 && used == len) {
		ld->section = f;
		ld->section_rank = RANK_INI_FAMILY;
		return;
	}
	if (f >= 0)
		why = destination_section(ld, f, name + used, len - used, line);
	else if (len >= 8 && name_is(name, 8, "program:"))
		why = program_section(ld, name + 8, len - 8);
	else
		why = "";
	if (!why)
		return;
	ld->section = SECTION_UNKNOWN;
	if (*why)
		config_problem(ld->cfg, origin, "[%s]: %s", quoted(name, len, q),
			       why);
	else
		config_problem(ld->cfg, origin, "unknown section [%s] (expected "
			       "[default], [inject], a family such as [connect], "
			       "[program:NAME] or [connect PATTERN])",
			       quoted(name, len, q));
}

/* A setting in another program's section: only whether it is valid. */
static void check_only(struct loader *ld, int pk, int gk, const char *value,
		       size_t len, const char *origin)
{
	static struct config scratch_config;
	struct policy scratch;
	char q[64];
	const char *why;
	policy_builtin(&scratch, FAMILY_CONNECT);
	if (gk >= 0)
		why = global_set(&scratch_config, gk, value, len);
	else
		why = policy_set(&scratch, pk, value, len);
	if (why)
		config_problem(ld->cfg, origin, "'%s': %s",
			       quoted(value, len, q), why);
}

static void on_entry(void *ctx, int line, const char *key, size_t key_len,
		     const char *value, size_t value_len)
{
	struct loader *ld = ctx;
	char origin[ORIGIN_MAX], q[64];
	snprintf(origin, sizeof(origin), "%s:%d", ld->path, line);
	if (ld->section == SECTION_UNKNOWN)
		return;		/* already reported at the header */
	if (ld->section == SECTION_INJECT) {
		if (inject_key_known(key, key_len))
			inject_setting(ld->cfg, origin, key, key_len, value,
				       value_len);
		else
			config_problem(ld->cfg, origin, "unknown key '%s' in "
				       "[inject] (expected rules or seed)",
				       quoted(key, key_len, q));
		return;
	}
	int pk = policy_key_by_name(key, key_len);
	int gk = global_key_by_name(key, key_len);
	if (pk < 0 && gk < 0) {
		config_problem(ld->cfg, origin, "unknown key '%s'",
			       quoted(key, key_len, q));
		return;
	}
	bool global_ok = ld->section == SCOPE_ALL && ld->destination < 0 &&
			 !(ld->section_rank == RANK_INI_PROGRAM &&
			   gk == GLOBAL_PROGRAMS);
	if (gk >= 0 && !global_ok) {
		config_problem(ld->cfg, origin, "'%s' belongs in [default]%s",
			       quoted(key, key_len, q),
			       gk == GLOBAL_PROGRAMS ? "" :
			       " or [program:NAME]");
		return;
	}
	if (ld->section_elsewhere) {
		check_only(ld, pk, gk, value, value_len, origin);
		return;
	}
	add_to(ld, ld->section_rank, ld->section, pk, gk, ld->destination,
	       value, value_len, origin);
}

static void on_problem(void *ctx, int line, const char *message)
{
	struct loader *ld = ctx;
	char origin[ORIGIN_MAX];
	snprintf(origin, sizeof(origin), "%s:%d", ld->path, line);
	config_problem(ld->cfg, origin, "%s", message);
}

/* Reads a trusted, regular, small file into file_text.  Returns its
 * length, or -1 after recording why not. */
static long read_file(struct config *cfg, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		config_problem(cfg, path, "cannot open: %s", strerrordesc_np(errno));
		return -1;
	}
	struct stat st;
	long len = -1;
	if (fstat(fd, &st) != 0)
		config_problem(cfg, path, "cannot stat: %s", strerrordesc_np(errno));
	else if (!S_ISREG(st.st_mode))
		config_problem(cfg, path, "not a regular file");
	else if (st.st_size > FILE_MAX)
		config_problem(cfg, path, "larger than %d bytes", FILE_MAX);
	else if (st.st_uid != 0 && st.st_uid != geteuid())
		config_problem(cfg, path, "refused: owned by uid %u, neither "
			       "root nor this process's user", st.st_uid);
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		config_problem(cfg, path, "refused: writable by group or "
			       "others (chmod go-w)");
	else
		len = 0;
	while (len >= 0 && len < FILE_MAX) {
		ssize_t n = read(fd, file_text + len, (size_t)(FILE_MAX - len));
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			config_problem(cfg, path, "cannot read: %s",
				       strerrordesc_np(errno));
			len = -1;
			break;
		}
		len += n;
	}
	close(fd);
	return len;
}

static void load_text(struct loader *ld, const char *path, const char *text,
		      size_t len)
{
	static const struct ini_handler handler = {
		.section = on_section, .entry = on_entry, .problem = on_problem,
	};
	struct ini_handler h = handler;
	snprintf(ld->cfg->file, sizeof(ld->cfg->file), "%s", path);
	ld->path = ld->cfg->file;
	ld->section = SCOPE_ALL;	/* keys before any header: [default] */
	ld->section_rank = RANK_INI_DEFAULT;
	ld->destination = -1;
	h.ctx = ld;
	ini_parse(text, len, &h);
}

static void load_file(struct loader *ld, const char *path)
{
	long len = read_file(ld->cfg, path);
	if (len >= 0)
		load_text(ld, path, file_text, (size_t)len);
}

/* --- environment --- */

#define PREFIX "KAIORETRY_"
#define PREFIX_LEN (sizeof(PREFIX) - 1)

/* Variables that are not settings but are ours all the same. */
static bool is_control_variable(const char *name, size_t len)
{
	return name_is(name, len, "CONFIG") || name_is(name, len, "STRICT") ||
	       name_is(name, len, "LIBRARY");
}

static void load_variable(struct loader *ld, const char *entry)
{
	const char *eq = strchr(entry, '=');
	if (!eq || strncmp(entry, PREFIX, PREFIX_LEN) != 0)
		return;
	const char *name = entry + PREFIX_LEN;
	size_t len = (size_t)(eq - name);
	const char *value = eq + 1;
	size_t value_len = strlen(value);
	char origin[ORIGIN_MAX], q[64];
	snprintf(origin, sizeof(origin), "%.*s", (int)(eq - entry), entry);

	if (is_control_variable(name, len))
		return;
	if (name_is(name, len, "INJECT") || name_is(name, len, "SEED")) {
		const char *key = name_is(name, len, "SEED") ? "seed" : "rules";
		inject_setting(ld->cfg, origin, key, strlen(key), value,
			       value_len);
		return;
	}
	int gk = global_key_by_name(name, len);
	int pk = policy_key_by_name(name, len);
	if (gk >= 0 || pk >= 0) {
		add(ld, RANK_ENV, SCOPE_ALL, pk, gk, value, value_len, origin);
		return;
	}
	for (int f = 0; f < FAMILY_COUNT; f++) {
		size_t flen = strlen(family_name(f));
		if (len <= flen + 1 || name[flen] != '_' ||
		    !name_is(name, flen, family_name(f)))
			continue;
		pk = policy_key_by_name(name + flen + 1, len - flen - 1);
		if (pk >= 0) {
			add(ld, RANK_ENV_FAMILY, f, pk, -1, value, value_len,
			    origin);
			return;
		}
	}
	config_problem(ld->cfg, origin, "unknown variable (is '%s' a typo?)",
		       quoted(name, len, q));
}

static const char *env_value(char *const *env, const char *name)
{
	size_t len = strlen(name);
	for (; env && *env; env++)
		if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
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
		const struct policy *p = &dest->policy;
		dest->policy.enabled = cfg->policy[dest->family].enabled;
		char origin[ORIGIN_MAX];
		snprintf(origin, sizeof(origin), "%s:%d", cfg->file, dest->line);
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

void config_load(struct config *cfg, const struct config_sources *src)
{
	struct loader loader, *ld = &loader;
	char *const *env = src->secure ? NULL : src->env;
	const char *master = env_value(env, "KAIORETRY");
	const char *strict = env_value(env, "KAIORETRY_STRICT");
	const char *path = env_value(env, "KAIORETRY_CONFIG");
	bool on = true;

	set_defaults(cfg);
	program_names(cfg, src->program);
	loader_reset(ld, cfg);

	if (strict && parse_switch(strict, strlen(strict), &cfg->strict))
		config_problem(cfg, "KAIORETRY_STRICT", "expected 1 or 0");
	if (master && parse_switch(master, strlen(master), &on))
		config_problem(cfg, "KAIORETRY", "expected on or off");
	if (!on) {
		cfg->pass_through = true;
		return;
	}
	if (path && !*path)
		config_problem(cfg, "KAIORETRY_CONFIG", "empty path");
	else if (path)
		load_file(ld, path);
	else if (src->default_file && access(src->default_file, F_OK) == 0)
		load_file(ld, src->default_file);
	for (; env && *env; env++)
		load_variable(ld, *env);
	apply_all(ld);
}

void config_check_file(struct config *cfg, const char *path)
{
	struct loader loader, *ld = &loader;
	set_defaults(cfg);
	loader_reset(ld, cfg);
	load_file(ld, path);
	apply_all(ld);
}

void config_check_text(struct config *cfg, const char *name,
		       const char *text, size_t len)
{
	struct loader loader, *ld = &loader;
	set_defaults(cfg);
	loader_reset(ld, cfg);
	load_text(ld, name, text, len);
	apply_all(ld);
}
