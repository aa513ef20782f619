/* inject_config.h: the fault injection settings, for the loader. */
#ifndef KAIORETRY_INJECT_CONFIG_H
#define KAIORETRY_INJECT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* Keys of the [inject] section: rules, seed, report. */
bool inject_key_known(const char *key, size_t len);

/* Applies `key` ("rules", "seed" or "report") from `origin` (file:line or the
 * variable); a bad value is recorded as a config problem. */
void inject_setting(struct config *cfg, const char *origin, const char *key,
		    size_t key_len, const char *value, size_t value_len);

#endif
