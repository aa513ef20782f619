/* sections.c: the INI file's sections and entries.  [default],
 * [family], [program:NAME[/family]] and [family PATTERN] (destination)
 * sections turn their entries into assignments (assign.c); [inject]
 * entries go to the fault injection settings. */
#include <string.h>

#include "ini.h"
#include "inject_config.h"
#include "loader.h"
#include "program.h"
#include "settings.h"
#include "values.h"

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
		if (family_never_retried(ld->section))
			return NEVER_RETRIED_WHY;
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
	copy_cut(d->text, sizeof(d->text), pattern, len);
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
	origin_at(origin, sizeof(origin), ld->path, line);
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
	if (f >= 0 && family_never_retried(f)) {
		why = NEVER_RETRIED_WHY;
	} else if (f >= 0 && used == len) {
		ld->section = f;
		ld->section_rank = RANK_INI_FAMILY;
		return;
	} else if (f >= 0)
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
	origin_at(origin, sizeof(origin), ld->path, line);
	if (ld->section == SECTION_UNKNOWN)
		return;		/* already reported at the header */
	if (ld->section == SECTION_INJECT) {
		if (inject_key_known(key, key_len))
			inject_setting(ld->cfg, origin, key, key_len, value,
				       value_len);
		else
			config_problem(ld->cfg, origin, "unknown key '%s' in "
				       "[inject] (expected rules, seed or report)",
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
	loader_add(ld, ld->section_rank, ld->section, pk, gk, ld->destination,
		   value, value_len, origin);
}

static void on_problem(void *ctx, int line, const char *message)
{
	struct loader *ld = ctx;
	char origin[ORIGIN_MAX];
	origin_at(origin, sizeof(origin), ld->path, line);
	config_problem(ld->cfg, origin, "%s", message);
}

void load_ini_text(struct loader *ld, const char *path, const char *text,
		   size_t len)
{
	static const struct ini_handler handler = {
		.section = on_section, .entry = on_entry, .problem = on_problem,
	};
	struct ini_handler h = handler;
	copy_cut(ld->cfg->file, sizeof(ld->cfg->file), path, strlen(path));
	ld->path = ld->cfg->file;
	ld->section = SCOPE_ALL;	/* keys before any header: [default] */
	ld->section_rank = RANK_INI_DEFAULT;
	ld->destination = -1;
	h.ctx = ld;
	ini_parse(text, len, &h);
}
