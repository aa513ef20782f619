/* program.h: scoping by program.  [program:NAME] and
 * [program:NAME/family] sections apply only in a process whose program
 * name matches NAME, a glob (glob.h); `programs = GLOB, GLOB` in
 * [default] (KAIORETRY_PROGRAMS) limits the shim to matching programs,
 * and all others pass through.  The name is the basename of
 * /proc/self/exe or of argv[0]; either may match.  Resolved once, when
 * the configuration loads. */
#ifndef KAIORETRY_PROGRAM_H
#define KAIORETRY_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

bool program_matches(struct config *cfg, const char *glob, size_t len);
const char *program_glob_problem(const char *glob, size_t len);
/* The value of `programs =`: sets cfg->program_unselected. */
const char *program_select(struct config *cfg, const char *value, size_t len);
/* Copies the names from the sources, basenames only; the exe's may
 * wait for the first match. */
void program_names(struct config *cfg, const struct config_sources *src);

#endif
