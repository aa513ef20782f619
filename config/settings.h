/* settings.h: what each key means: its name, and how a value changes a
 * policy or the global settings.  The sources (INI, env) only find keys
 * and values; this is where they take effect. */
#ifndef KAIORETRY_SETTINGS_H
#define KAIORETRY_SETTINGS_H

#include <stddef.h>

#include "config.h"

/* Policy key by name ("min_delay"), case-insensitive; -1 if unknown. */
int policy_key_by_name(const char *name, size_t len);
const char *policy_key_name(enum policy_key key);
const char *policy_set(struct policy *policy, enum policy_key key,
		       const char *value, size_t len);

/* Keys that apply to the whole process and live in [default] only. */
#define GLOBAL_KEYS(X) \
	X(ON, on) \
	X(LOG, log) \
	X(LOG_FACILITY, log_facility) \
	X(LOG_LEVEL, log_level) \
	X(LOG_FORMAT, log_format) \
	X(PROGRAMS, programs) \
	X(TABLE, table)

enum global_key {
#define X(UPPER, lower) GLOBAL_##UPPER,
	GLOBAL_KEYS(X)
#undef X
	GLOBAL_KEY_COUNT
};

int global_key_by_name(const char *name, size_t len);
const char *global_set(struct config *cfg, enum global_key key,
		       const char *value, size_t len);

#endif
