/* loader.h: what the config loader's files share (private to config/).
 *
 * Lowest first: problem.c records problems, origin.c words where a
 * setting came from, assign.c owns the assignment list and applies it
 * in precedence order; sections.c (INI sections and entries), env.c
 * (the environment) and file.c (reading a trusted file) turn their
 * source into assignments; load.c, on top, runs them in order. */
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

/* assign.c: a loader for cfg, with an empty assignment list. */
void loader_reset(struct loader *ld, struct config *cfg);

/* assign.c: records one setting; family is SCOPE_ALL or a family,
 * policy_key or global_key is -1, destination an index or -1. */
void loader_add(struct loader *ld, enum rank rank, int family,
		int policy_key, int global_key, int destination,
		const char *value, size_t len, const char *origin);

/* assign.c: applies the assignments rank by rank, lowest first, then
 * checks what they add up to; any problem makes cfg a pass-through. */
void apply_all(struct loader *ld);

/* origin.c: "path:line", and the first len bytes of s (to a NUL), into
 * out, each cut to fit as snprintf would cut it. */
void origin_at(char *out, size_t size, const char *path, int line);
void copy_cut(char *out, size_t size, const char *s, size_t len);

/* problem.c: the value as it may appear in a message: printable
 * ASCII, shortened. */
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
