/* summary.c: one policy in a line, as --explain shows it for a family
 * or a destination section: each key's value as a person would write
 * it, the keys that do something, and the sleeps they imply. */
#include "cli.h"

#include "../errnames.h"
#include "../settings.h"

static void print_errors(FILE *out, const struct errset *set)
{
	if (set->all) {
		fputs("all", out);
		return;
	}
	const char *sep = "";
	for (int code = ERRSET_MIN; code <= ERRSET_MAX; code++) {
		const char *name = errname_of(code);
		if (code && name && errset_has(set, code)) {
			fprintf(out, "%s%s", sep, name);
			sep = ",";
		}
	}
	if (!*sep)
		fputs("(none)", out);
}

void print_policy_value(FILE *out, const struct policy *p, enum policy_key key)
{
	switch (key) {
	case KEY_TRIES:
		fprintf(out, "%d", p->tries);
		break;
	case KEY_DELAY:
		print_seconds(out, p->delay);
		break;
	case KEY_BACKOFF:
		print_seconds(out, p->backoff);
		break;
	case KEY_JITTER:
		print_seconds(out, p->jitter_min);
		if (p->jitter_max != p->jitter_min) {
			fputs("..", out);
			print_seconds(out, p->jitter_max);
		}
		break;
	case KEY_MIN_DELAY:
		print_seconds(out, p->min_delay);
		break;
	case KEY_MAX_DELAY:
		if (p->max_delay == DELAY_UNBOUNDED)
			fputs("unset", out);
		else
			print_seconds(out, p->max_delay);
		break;
	case KEY_ERRORS:
		print_errors(out, &p->errors);
		break;
	case KEY_NONBLOCKING:
		fputs(p->nonblocking == NONBLOCKING_WAIT ? "wait" : "pass", out);
		break;
	default:
		print_beyond_value(out, p, key);
		break;
	}
}

/* The summary names tries, delay and backoff, and the other delay
 * keys only when they do something. */
static bool in_summary(const struct policy *p, enum policy_key key)
{
	switch (key) {
	case KEY_JITTER:
		return p->jitter_min != 0 || p->jitter_max != 0;
	case KEY_MIN_DELAY:
		return p->min_delay != 0;
	case KEY_MAX_DELAY:
		return p->max_delay != DELAY_UNBOUNDED;
	case KEY_ERRORS:
		return false;
	case KEY_NONBLOCKING:
		return p->nonblocking != NONBLOCKING_PASS;
	case KEY_TRIES:
	case KEY_DELAY:
	case KEY_BACKOFF:
		return true;
	default:
		return beyond_in_summary(p, key);
	}
}

void explain_summary(FILE *out, const struct policy *p)
{
	for (int k = 0; k < POLICY_KEY_COUNT; k++) {
		if (!in_summary(p, k))
			continue;
		fprintf(out, " %s=", policy_key_name(k));
		print_policy_value(out, p, k);
	}
	fputs(" -> ", out);
	schedule_print(out, p);
	fputc('\n', out);
	explain_ready(out, p);
}
