/* program.c: matching this process's program name (see program.h). */
#include "program.h"

#include <string.h>

#include "../common/glob.h"
#include "values.h"

static void copy_basename(char *to, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash)
		path = slash + 1;
	size_t len = strnlen(path, PROGRAM_NAME_MAX - 1);
	memcpy(to, path, len);
	to[len] = '\0';
}

bool program_matches(struct config *cfg, const char *glob, size_t len)
{
	if (cfg->read_exe) {
		char path[256];
		copy_basename(cfg->program[0], cfg->read_exe(path, sizeof(path)));
		cfg->read_exe = NULL;
	}
	for (int i = 0; i < 2; i++) {
		const char *name = cfg->program[i];
		if (name[0] && glob_match(glob, len, name, strlen(name), false))
			return true;
	}
	return false;
}

/* Names are basenames, so a '/' can only be a mistake. */
const char *program_glob_problem(const char *glob, size_t len)
{
	if (memchr(glob, '/', len))
		return "a program name has no '/' (it is matched against "
		       "basenames)";
	return NULL;
}

struct selecting {
	struct config *cfg;
	bool any;
};

static const char *select_one(void *ctx, const char *glob, size_t len)
{
	struct selecting *sel = ctx;
	const char *why = program_glob_problem(glob, len);
	if (!why && program_matches(sel->cfg, glob, len))
		sel->any = true;
	return why;
}

const char *program_select(struct config *cfg, const char *value, size_t len)
{
	struct selecting sel = { cfg, false };
	const char *why = parse_list(value, len, &sel, select_one);
	if (!why)
		cfg->program_unselected = !sel.any;
	return why;
}

void program_names(struct config *cfg, const struct config_sources *src)
{
	for (int i = 0; i < 2; i++) {
		cfg->program[i][0] = '\0';
		if (src->program[i])
			copy_basename(cfg->program[i], src->program[i]);
	}
	cfg->read_exe = src->program[0] ? NULL : src->read_exe;
}
