/* config_fixture.c: the helpers of config_fixture.h. */
#include "config_fixture.h"

#include <string.h>

struct config cfg;

void load(char **env)
{
	struct config_sources src = { .env = env };
	config_load(&cfg, &src);
}

bool has_problem(const char *needle)
{
	for (int i = 0; i < cfg.problem_count && i < PROBLEMS_KEPT; i++)
		if (strstr(cfg.problem[i], needle))
			return true;
	return false;
}
