/* explain_beyond.c: --explain for the keys beyond kaioretry's (deadline,
 * attempt_timeout, ready, spread, budget, budget_min, budget_scope): how each value reads,
 * and when the summary line names it. */
#include "cli.h"

#include "../beyond.h"
#include "../settings.h"

static void print_limit(FILE *out, double seconds)
{
	if (seconds == SECONDS_UNSET)
		fputs("none", out);
	else
		print_seconds(out, seconds);
}

void print_beyond_value(FILE *out, const struct policy *p, int key)
{
	switch (key) {
	case KEY_DEADLINE:
		print_limit(out, p->deadline);
		break;
	case KEY_ATTEMPT_TIMEOUT:
		print_limit(out, p->attempt_timeout);
		break;
	case KEY_READY:
		print_ready(out, &p->ready);
		break;
	case KEY_SPREAD:
		fputs(spread_name(p->spread), out);
		break;
	case KEY_BUDGET:
		if (p->budget > 0)
			print_seconds(out, p->budget);
		else
			fputs("off", out);
		break;
	case KEY_BUDGET_MIN:
		print_seconds(out, p->budget_min);
		fputs("/s", out);
		break;
	case KEY_BUDGET_SCOPE:
		fputs(budget_scope_name(p->budget_scope), out);
		break;
	default:
		break;
	}
}

bool beyond_in_summary(const struct policy *p, int key)
{
	switch (key) {
	case KEY_DEADLINE:
		return p->deadline != SECONDS_UNSET;
	case KEY_ATTEMPT_TIMEOUT:
		return p->attempt_timeout != SECONDS_UNSET;
	case KEY_READY:
		return p->ready.protocol != READY_TCP;
	case KEY_SPREAD:
		return p->spread != SPREAD_NONE;
	case KEY_BUDGET:
	case KEY_BUDGET_MIN:
		return p->budget > 0;
	case KEY_BUDGET_SCOPE:
		return p->budget > 0 && p->budget_scope == BUDGET_SCOPE_HOST;
	default:
		return false;
	}
}
