/* fuzz_env: the environment as the shim sees it.  Each input line
 * becomes one variable, KAIORETRY_<line> (so NAME=VALUE reaches every
 * key, per-family key and global key); KAIORETRY_CONFIG is dropped so
 * no file is read.  The result is sane or a pass-through. */
#include <stdint.h>
#include <strings.h>

#include "invariants.h"

#define VARS_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	char *env[VARS_MAX + 1];
	int n = 0;
	const char *p = (const char *)data, *end = p + size;

	while (p < end && n < VARS_MAX) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (!(len >= 6 && strncasecmp(p, "CONFIG", 6) == 0)) {
			/* Exactly sized, so ASan sees any read past the end. */
			char *var = malloc(len + 11);
			memcpy(var, "KAIORETRY_", 10);
			memcpy(var + 10, p, len);
			var[10 + len] = '\0';
			env[n++] = var;
		}
		p += len + 1;
	}
	env[n] = NULL;
	const struct config_sources src = { .env = env };
	config_load(&cfg, &src);
	require_sane_config(&cfg);
	for (int i = 0; i < n; i++)
		free(env[i]);
	return 0;
}
