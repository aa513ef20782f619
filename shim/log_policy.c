/* log_policy.c: a policy in kaioretry's words, for the first record of
 * a series: "Retry(ECONNREFUSED, Context(tries=3, delay=(0<=0.1<=2),
 * backoff=2, jitter=0)) deadline=10", and the budget alone for the
 * record that says a retry was refused. */
#include "log_policy.h"

#include "../config/beyond.h"
#include "../config/errnames.h"

static void error_set_text(struct text *t, const struct errset *set)
{
	if (set->all) {
		text_str(t, "all");
		return;
	}
	bool first = true;
	for (int code = ERRSET_MIN; code <= ERRSET_MAX; code++) {
		const char *name = errname_of(code);
		if (!name || !errset_has(set, code) || code == 0)
			continue;
		if (!first)
			text_str(t, ",");
		text_str(t, name);
		first = false;
	}
}

void log_budget_text(struct text *t, const struct policy *p)
{
	text_str(t, "budget=");
	text_decimal(t, p->budget);
	text_str(t, " budget_min=");
	text_decimal(t, p->budget_min);
	text_str(t, "/s");
}

/* The keys beyond kaioretry's, only those that are set. */
static void beyond_text(struct text *t, const struct policy *p)
{
	if (p->deadline != SECONDS_UNSET) {
		text_str(t, " deadline=");
		text_decimal(t, p->deadline);
	}
	if (p->attempt_timeout != SECONDS_UNSET) {
		text_str(t, " attempt_timeout=");
		text_decimal(t, p->attempt_timeout);
	}
	if (p->spread != SPREAD_NONE) {
		text_str(t, " spread=");
		text_str(t, spread_name(p->spread));
	}
	if (p->budget > 0) {
		text_str(t, " ");
		log_budget_text(t, p);
	}
}

void log_policy_text(struct text *t, const struct policy *p)
{
	text_str(t, "Retry(");
	error_set_text(t, &p->errors);
	text_str(t, ", Context(tries=");
	text_int(t, p->tries);
	text_str(t, ", delay=(");
	text_decimal(t, p->min_delay);
	text_str(t, "<=");
	text_decimal(t, p->delay);
	text_str(t, "<=");
	if (p->max_delay == DELAY_UNBOUNDED)
		text_str(t, "None");
	else
		text_decimal(t, p->max_delay);
	text_str(t, "), backoff=");
	text_decimal(t, p->backoff);
	text_str(t, ", jitter=");
	if (p->jitter_min == p->jitter_max) {
		text_decimal(t, p->jitter_min);
	} else {
		text_str(t, "(");
		text_decimal(t, p->jitter_min);
		text_str(t, ", ");
		text_decimal(t, p->jitter_max);
		text_str(t, ")");
	}
	text_str(t, "))");
	beyond_text(t, p);
}
