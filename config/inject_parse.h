/* inject_parse.h: what the spec parser's files share (inject_spec.c
 * reads rules and the counting items, inject_items.c the time and
 * byte items, inject_filters.c the target filters): one parse in
 * progress and how it refuses. */
#ifndef KAIORETRY_INJECT_PARSE_H
#define KAIORETRY_INJECT_PARSE_H

#include "inject_spec.h"

struct parse {
	struct inject_rule *rule;
	char *why;
	int number;		/* rule number, from 1 */
	bool seen[16];		/* each key at most once */
};

/* Says why in ps->why, naming the rule; returns false. */
bool inject_refuse(struct parse *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A whole number >= 1 at text[*i], at most 18 digits. */
bool inject_counter_at(const char *text, size_t len, size_t *i, uint64_t *out);

/* The items of inject_items.c: delay=, hang=, at=, limit=, rate=. */
bool inject_parse_delay(struct parse *ps, const char *v, size_t len);
bool inject_parse_hang(struct parse *ps, const char *v, size_t len);
bool inject_parse_at(struct parse *ps, const char *v, size_t len);
bool inject_parse_limit(struct parse *ps, const char *v, size_t len);
bool inject_parse_rate(struct parse *ps, const char *v, size_t len);

/* The items of inject_filters.c: addr=, port=, host=, path=. */
bool inject_parse_addr(struct parse *ps, const char *v, size_t len);
bool inject_parse_port(struct parse *ps, const char *v, size_t len);
bool inject_parse_host(struct parse *ps, const char *v, size_t len);
bool inject_parse_path(struct parse *ps, const char *v, size_t len);

#endif
