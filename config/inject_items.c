/* inject_items.c: the spec items that take durations and byte counts:
 * delay=A[..B], hang=, at=START..[END], limit= and rate=.  Durations
 * need a unit (us, ms, s) so that "at=2" cannot mean two calls or two
 * milliseconds to a reader; byte counts take k and M (1000, 1000000:
 * toxiproxy's and curl's rates are decimal). */
#include "inject_parse.h"

#include <string.h>

#include "values.h"

#define HOUR 3600.0

/* A duration with its unit, in seconds; NULL or why not. */
static const char *duration(const char *v, size_t len, double *seconds)
{
	static const struct { const char *unit; double scale; } units[] = {
		{ "ms", 1e-3 }, { "us", 1e-6 }, { "s", 1 },
	};
	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		size_t ulen = strlen(units[u].unit);
		if (len <= ulen || memcmp(v + len - ulen, units[u].unit, ulen) ||
		    !is_digit(v[len - ulen - 1]))
			continue;
		double number;
		const char *why = parse_seconds(v, len - ulen, &number);
		if (why)
			return why;
		*seconds = number * units[u].scale;
		return *seconds > HOUR ? "more than an hour" : NULL;
	}
	return "needs a unit: ms, s or us (like 200ms)";
}

/* "delay='5' needs a unit: ...", "at='x..': must not be negative" */
static bool bad_duration(struct parse *ps, const char *key, const char *v,
			 size_t len, const char *why)
{
	return inject_refuse(ps, "%s='%.*s'%s %s", key, (int)len, v,
			     strncmp(why, "needs", 5) ? ":" : "", why);
}

/* "A..B" split at the first "..": A in *a_len, B after it; false if no "..". */
static bool range_split(const char *v, size_t len, size_t *a_len,
			const char **b, size_t *b_len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (v[i] == '.' && v[i + 1] == '.') {
			*a_len = i;
			*b = v + i + 2;
			*b_len = len - i - 2;
			return true;
		}
	}
	return false;
}

bool inject_parse_delay(struct parse *ps, const char *v, size_t len)
{
	struct inject_rule *r = ps->rule;
	size_t a_len = len, b_len = 0;
	const char *b = NULL, *why;
	bool range = range_split(v, len, &a_len, &b, &b_len);
	if ((why = duration(v, a_len, &r->delay)) != NULL ||
	    (range && (why = duration(b, b_len, &r->delay_max)) != NULL))
		return bad_duration(ps, "delay", v, len, why);
	if (!range)
		r->delay_max = r->delay;
	else if (r->delay_max < r->delay)
		return inject_refuse(ps, "delay='%.*s': the range A..B needs "
				     "A <= B", (int)len, v);
	return true;
}

bool inject_parse_hang(struct parse *ps, const char *v, size_t len)
{
	const char *why = duration(v, len, &ps->rule->hang);
	if (why)
		return bad_duration(ps, "hang", v, len, why);
	if (ps->rule->hang == 0)
		return inject_refuse(ps, "hang='%.*s': a hang of no time is "
				     "error= alone", (int)len, v);
	return true;
}

static bool at_bound(const char *v, size_t len, uint64_t *ns, const char **why)
{
	double seconds;
	*why = duration(v, len, &seconds);
	*ns = (uint64_t)(seconds * 1e9 + 0.5);
	return *why == NULL;
}

bool inject_parse_at(struct parse *ps, const char *v, size_t len)
{
	struct inject_rule *r = ps->rule;
	size_t a_len, b_len;
	const char *b, *why;
	if (!range_split(v, len, &a_len, &b, &b_len))
		return inject_refuse(ps, "at='%.*s': expected START..END or "
				     "START.. with units, like at=2s..5s",
				     (int)len, v);
	if (!at_bound(v, a_len, &r->at_from_ns, &why) ||
	    (b_len && !at_bound(b, b_len, &r->at_until_ns, &why)))
		return bad_duration(ps, "at", v, len, why);
	if (!b_len)
		r->at_until_ns = INJECT_AT_OPEN;
	else if (r->at_until_ns <= r->at_from_ns)
		return inject_refuse(ps, "at='%.*s': the window START..END "
				     "needs START < END", (int)len, v);
	return true;
}

/* BYTES, BYTESk or BYTESM, from 1. */
static bool byte_count(const char *v, size_t len, uint64_t *out)
{
	uint64_t scale = 1;
	size_t i = 0;
	if (len && (v[len - 1] == 'k' || v[len - 1] == 'K'))
		scale = 1000, len--;
	else if (len && v[len - 1] == 'M')
		scale = 1000000, len--;
	if (!inject_counter_at(v, len, &i, out) || i != len ||
	    *out > UINT64_MAX / 1000000 / scale)
		return false;
	*out *= scale;
	return true;
}

static bool bytes_allowed(struct parse *ps, const char *key)
{
	enum family f = ps->rule->family;
	if (f == FAMILY_READ || f == FAMILY_WRITE || f == FAMILY_RECV ||
	    f == FAMILY_SEND)
		return true;
	return inject_refuse(ps, "%s= applies to read, write, recv and send "
			     "calls, not %s", key, family_name(f));
}

bool inject_parse_limit(struct parse *ps, const char *v, size_t len)
{
	if (!bytes_allowed(ps, "limit"))
		return false;
	if (!byte_count(v, len, &ps->rule->limit))
		return inject_refuse(ps, "limit='%.*s': expected a number of "
				     "bytes from 1, like 1000 or 64k",
				     (int)len, v);
	return true;
}

bool inject_parse_rate(struct parse *ps, const char *v, size_t len)
{
	if (!bytes_allowed(ps, "rate"))
		return false;
	if (!byte_count(v, len, &ps->rule->rate))
		return inject_refuse(ps, "rate='%.*s': expected bytes per "
				     "second from 1, like 50k or 2M",
				     (int)len, v);
	return true;
}
