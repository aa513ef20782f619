/* beyond.c: parsers for deadline, attempt_timeout, spread, budget,
 * budget_min and budget_scope (see beyond.h).  Numbers go through values.c's plain
 * decimal rules, so "1e3" or "nan" are refused here too. */
#include "beyond.h"

#include <string.h>

#include "values.h"

static const char *const spreads[] = {
	[SPREAD_NONE] = "none", [SPREAD_FULL] = "full",
	[SPREAD_EQUAL] = "equal", [SPREAD_DECORRELATED] = "decorrelated",
};

const char *spread_name(enum spread spread)
{
	return spreads[spread];
}

static bool is_off(const char *text, size_t len)
{
	return name_is(text, len, "none") || name_is(text, len, "off");
}

const char *parse_limit(const char *text, size_t len, double *seconds)
{
	double value;
	text = trim(text, &len);
	if (is_off(text, len)) {
		*seconds = SECONDS_UNSET;
		return NULL;
	}
	const char *why = parse_seconds(text, len, &value);
	if (why)
		return why;
	if (value <= 0)
		return "must be greater than 0 (or none)";
	*seconds = value;
	return NULL;
}

const char *parse_spread(const char *text, size_t len, enum spread *spread)
{
	text = trim(text, &len);
	for (size_t i = 0; i < sizeof(spreads) / sizeof(spreads[0]); i++)
		if (name_is(text, len, spreads[i]))
			return *spread = (enum spread)i, NULL;
	return "expected none, full, equal or decorrelated";
}

const char *parse_budget(const char *text, size_t len, double *fraction)
{
	double value;
	text = trim(text, &len);
	if (is_off(text, len)) {
		*fraction = 0;
		return NULL;
	}
	bool percent = len && text[len - 1] == '%';
	const char *why = parse_seconds(text, len - percent, &value);
	if (why)
		return why;
	if (percent)
		value /= 100;
	if (value > BUDGET_MAX)
		return "a budget above 10 (1000%) is no budget; use off";
	*fraction = value;
	return NULL;
}

const char *parse_rate(const char *text, size_t len, double *per_second)
{
	double value;
	text = trim(text, &len);
	if (len >= 2 && text[len - 2] == '/' &&
	    (text[len - 1] == 's' || text[len - 1] == 'S'))
		len -= 2;
	const char *why = parse_seconds(text, len, &value);
	if (why)
		return why;
	if (value > RATE_MAX)
		return "more than a million per second";
	*per_second = value;
	return NULL;
}

static const char *const scopes[] = {
	[BUDGET_SCOPE_PROCESS] = "process", [BUDGET_SCOPE_HOST] = "host",
};

const char *budget_scope_name(enum budget_scope scope)
{
	return scopes[scope];
}

const char *parse_budget_scope(const char *text, size_t len,
			       enum budget_scope *scope)
{
	text = trim(text, &len);
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if (name_is(text, len, scopes[i]))
			return *scope = (enum budget_scope)i, NULL;
	return "expected process or host";
}
