/* problem.c: how the loader records what is wrong with a configuration:
 * "origin: message" lines, the first PROBLEMS_KEPT kept for messages
 * and --check, all counted (any problem makes the whole configuration a
 * pass-through, assign.c), and a refused value quoted so that a message
 * never carries a control character.  Only the loaders call it, and only
 * on a problem, so printf's machinery is fine here. */
#include "loader.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void config_problem(struct config *cfg, const char *origin,
		    const char *fmt, ...)
{
	if (cfg->problem_count < PROBLEMS_KEPT) {
		char *out = cfg->problem[cfg->problem_count];
		int n = snprintf(out, PROBLEM_MAX, "%s: ", origin);
		if (n < 0 || n >= PROBLEM_MAX / 2)	/* a long path */
			n = snprintf(out, PROBLEM_MAX, "%.*s...: ",
				     PROBLEM_MAX / 2 - 8, origin);
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(out + n, PROBLEM_MAX - (size_t)n, fmt, ap);
		va_end(ap);
	}
	cfg->problem_count++;
}

/* The value as it may appear in a message: printable ASCII, shortened. */
const char *quoted(const char *v, size_t len, char out[64])
{
	size_t o = 0;
	for (size_t i = 0; i < len && o < 56; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, 8, "\\x%02x", c);
	}
	if (o >= 56)
		o = 56, memcpy(out + o, "...", 3), o += 3;
	out[o] = '\0';
	return out;
}
