/* loader.h: what the config loader's files share (private to config/).
 *
 * load.c owns the assignment list and applies it in precedence order;
 * sections.c (INI sections and entries), env.c (the environment) and
 * file.c (reading a trusted file) turn their source into assignments. */
#ifndef KAIORETRY_LOADER_H
#define KAIORETRY_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define SCOPE_ALL (-1)

/* Lowest precedence first: config.h lists the sources. */
enum rank {
	RANK_INI_DEFAULT = 1, RANK_INI_FAMILY, RANK_INI_PROGRAM,
	RANK_INI_PROGRAM_FAMILY, RANK_INI_DESTINATION, RANK_ENV,
	RANK_ENV_FAMILY
};

struct assignment;

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

/* load.c: records one setting; family is SCOPE_ALL or a family,
 * policy_key or global_key is -1, destination an index or -1. */
void loader_add(struct loader *ld, enum rank rank, int family,
		int policy_key, int global_key, int destination,
		const char *value, size_t len, const char *origin);

/* load.c: "path:line", and the first len bytes of s (to a NUL), into
 * out, each cut to fit as snprintf would cut it.  An origin is made
 * for every INI line at start-up, where printf's machinery would cost
 * more than the parse and fault in pages of its own. */
void origin_at(char *out, size_t size, const char *path, int line);
void copy_cut(char *out, size_t size, const char *s, size_t len);

/* The value as it may appear in a message: printable ASCII, shortened. */
const char *quoted(const char *v, size_t len, char out[64]);

/* sections.c: the INI text `path` holds. */
void load_ini_text(struct loader *ld, const char *path, const char *text,
		   size_t len);

/* file.c: the INI file at path, when it is trusted. */
void load_ini_file(struct loader *ld, const char *path);

/* env.c: one NAME=VALUE entry of the environment, and a variable's
 * value (NULL when unset). */
void load_variable(struct loader *ld, const char *entry);
const char *env_value(char *const *env, const char *name);

#endif
