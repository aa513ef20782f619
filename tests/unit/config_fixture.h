/* config_fixture.h: what the config suites share: one configuration to
 * load into, loading it from an environment, and asking its problems. */
#ifndef KAIORETRY_CONFIG_FIXTURE_H
#define KAIORETRY_CONFIG_FIXTURE_H

#include <stdbool.h>

#include "config.h"

extern struct config cfg;

/* config_load with only this NULL-terminated environment. */
void load(char **env);

/* Whether any kept problem message contains `needle`. */
bool has_problem(const char *needle);

#endif
