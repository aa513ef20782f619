/* values.c: the value parsers of values.h.
 *
 * Numbers are converted by hand rather than with strtod: strtod follows
 * the program's locale (a German program wants "0,5"), and it accepts
 * hex, exponents, inf and nan, none of which belong in a retry policy. */
#include "values.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

#include "errnames.h"

const char *trim(const char *text, size_t *len)
{
	while (*len && (text[0] == ' ' || text[0] == '\t'))
		text++, (*len)--;
	while (*len && (text[*len - 1] == ' ' || text[*len - 1] == '\t'))
		(*len)--;
	return text;
}

int name_is(const char *name, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(name, word, len) == 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* [-]digits[.digits], at most 9 digits before the point. */
static const char *parse_decimal(const char *text, size_t len, bool signed_ok,
				 double *out)
{
	size_t i = 0, whole_digits = 0, frac_digits = 0;
	bool negative = false;
	double value = 0, scale = 1;

	text = trim(text, &len);
	if (len == 0)
		return "empty value";
	if (text[0] == '-' || text[0] == '+') {
		if (text[0] == '-' && !signed_ok)
			return "must not be negative";
		negative = text[0] == '-';
		i++;
	}
	for (; i < len && is_digit(text[i]); i++, whole_digits++)
		value = value * 10 + (text[i] - '0');
	if (i < len && text[i] == '.') {
		for (i++; i < len && is_digit(text[i]); i++, frac_digits++)
			value += (text[i] - '0') * (scale /= 10);
	}
	if (i != len || whole_digits + frac_digits == 0)
		return "not a plain decimal number (like 2 or 0.5)";
	if (whole_digits > 9)
		return "number too large";
	*out = negative ? -value : value;
	return NULL;
}

const char *parse_tries(const char *text, size_t len, int *tries)
{
	double value;
	const char *why = parse_decimal(text, len, true, &value);
	if (why)
		return why;
	if (value != (int)value || memchr(text, '.', len))
		return "tries must be a whole number";
	if (value == 0)
		return "tries=0 would never call at all; use a negative "
		       "number to try until it works";
	*tries = value < 0 ? -1 : (int)value;
	return NULL;
}

const char *parse_seconds(const char *text, size_t len, double *seconds)
{
	double value;
	const char *why = parse_decimal(text, len, false, &value);
	if (why)
		return why;
	if (value > SECONDS_MAX)
		return "more than a year of seconds";
	*seconds = value;
	return NULL;
}

const char *parse_backoff(const char *text, size_t len, double *factor)
{
	double value;
	const char *why = parse_decimal(text, len, false, &value);
	if (why)
		return why;
	if (value <= 0)
		return "backoff must be greater than 0";
	if (value > 1000)
		return "backoff above 1000 is surely a mistake";
	*factor = value;
	return NULL;
}

const char *parse_jitter(const char *text, size_t len, double *lo, double *hi)
{
	const char *why;
	const char *dots;

	text = trim(text, &len);
	dots = len >= 2 ? memmem(text, len, "..", 2) : NULL;
	if (!dots) {
		why = parse_decimal(text, len, true, lo);
		if (!why && (*lo > SECONDS_MAX || *lo < -SECONDS_MAX))
			return "jitter beyond a year of seconds";
		*hi = *lo;
		return why;
	}
	double a, b;
	why = parse_decimal(text, (size_t)(dots - text), true, &a);
	if (!why)
		why = parse_decimal(dots + 2, len - (size_t)(dots + 2 - text),
				    true, &b);
	if (why)
		return why;
	if (a > b)
		return "jitter range A..B needs A <= B";
	if (a < -SECONDS_MAX || b > SECONDS_MAX)
		return "jitter beyond a year of seconds";
	*lo = a;
	*hi = b;
	return NULL;
}

const char *parse_list(const char *text, size_t len, void *ctx,
			     const char *(*each)(void *, const char *, size_t))
{
	text = trim(text, &len);
	if (len == 0)
		return "empty list";
	while (len) {
		const char *comma = memchr(text, ',', len);
		size_t item_len = comma ? (size_t)(comma - text) : len;
		size_t rest = comma ? len - item_len - 1 : 0;
		const char *item = trim(text, &item_len);
		if (item_len == 0)
			return "empty item in list";
		const char *why = each(ctx, item, item_len);
		if (why)
			return why;
		if (comma && rest == 0)
			return "list ends with a comma";
		text = comma ? comma + 1 : text + len;
		len = rest;
	}
	return NULL;
}

static bool is_word(const char *text, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(text, word, len) == 0;
}

static const char *add_error(void *ctx, const char *name, size_t len)
{
	struct errset *set = ctx;
	if (is_word(name, len, "all")) {
		set->all = true;
		return NULL;
	}
	int code = errname_code(name, len);
	if (code == 0)
		return "unknown error name (expected names like ECONNREFUSED, "
		       "EAI_AGAIN or TRY_AGAIN, or all)";
	errset_add(set, code);
	return NULL;
}

const char *parse_errors(const char *text, size_t len, struct errset *set)
{
	struct errset parsed = { 0 };
	const char *why = parse_list(text, len, &parsed, add_error);
	if (!why)
		*set = parsed;
	return why;
}

static const char *add_family(void *ctx, const char *name, size_t len)
{
	bool *enabled = ctx;
	if (is_word(name, len, "all")) {
		for (int f = 0; f < FAMILY_COUNT; f++)
			enabled[f] = enabled[f] || (!family_opt_in(f) &&
						    !family_never_retried(f));
		return NULL;
	}
	int family = family_by_name(name, len);
	if (family < 0)
		return "unknown family (expected connect, accept, read, write, "
		       "recv, send, getaddrinfo, resolver, bind, nss, open or all)";
	if (family_never_retried(family))
		return NEVER_RETRIED_WHY;
	enabled[family] = true;
	return NULL;
}

const char *parse_families(const char *text, size_t len,
			   bool enabled[FAMILY_COUNT])
{
	bool parsed[FAMILY_COUNT] = { 0 };
	const char *why = parse_list(text, len, parsed, add_family);
	if (!why)
		memcpy(enabled, parsed, sizeof(parsed));
	return why;
}

const char *parse_switch(const char *text, size_t len, bool *on)
{
	static const char *const yes[] = { "1", "yes", "on", "true" };
	static const char *const no[] = { "0", "no", "off", "false" };
	text = trim(text, &len);
	for (size_t i = 0; i < 4; i++) {
		if (is_word(text, len, yes[i]))
			return *on = true, NULL;
		if (is_word(text, len, no[i]))
			return *on = false, NULL;
	}
	return "expected 1 or 0 (also yes/no, on/off, true/false)";
}
