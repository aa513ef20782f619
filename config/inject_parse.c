/* inject_parse.c: the pieces every file of the spec parser uses (see
 * inject_parse.h): the refusal that names the rule, and whole numbers.
 * They sit below inject_spec.c and inject_items.c so that calls between
 * the parser's files only go down. */
#include "inject_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool inject_refuse(struct parse *ps, const char *fmt, ...)
{
	char what[INJECT_WHY_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(ps->why, INJECT_WHY_MAX, "rule %d '%.32s%s': %.150s", ps->number,
		 ps->rule->text, strlen(ps->rule->text) > 32 ? "..." : "",
		 what);
	return false;
}

/* A whole number >= 1 at text[*i], at most 18 digits. */
bool inject_counter_at(const char *text, size_t len, size_t *i, uint64_t *out)
{
	size_t start = *i;
	uint64_t v = 0;
	while (*i < len && is_digit(text[*i]) && *i - start < 18)
		v = v * 10 + (uint64_t)(text[(*i)++] - '0');
	if (*i == start || (*i < len && is_digit(text[*i])) || v == 0)
		return false;
	*out = v;
	return true;
}
