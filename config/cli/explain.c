/* explain.c: `kaioretry --explain`: each family's effective policy, the
 * origin of every value ("built-in", "file:line" or the variable), and
 * the schedule of sleeps it implies. */
#include "cli.h"

#include <string.h>
#include <syslog.h>

#include "../errnames.h"
#include "../settings.h"

static const char *log_facility_name(int facility)
{
	static const struct { int facility; const char *name; } names[] = {
		{ LOG_USER, "user" }, { LOG_DAEMON, "daemon" },
		{ LOG_LOCAL0, "local0" }, { LOG_LOCAL1, "local1" },
		{ LOG_LOCAL2, "local2" }, { LOG_LOCAL3, "local3" },
		{ LOG_LOCAL4, "local4" }, { LOG_LOCAL5, "local5" },
		{ LOG_LOCAL6, "local6" }, { LOG_LOCAL7, "local7" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].facility == facility)
			return names[i].name;
	return "?";
}

static const char *log_level_name(int level)
{
	switch (level) {
	case LOG_WARNING: return "warning";
	case LOG_NOTICE: return "notice";
	case LOG_INFO: return "info";
	case LOG_DEBUG: return "debug";
	default: return "?";
	}
}

static void print_log(FILE *out, const struct log_settings *log)
{
	fputs("log: ", out);
	switch (log->sink) {
	case SINK_SYSLOG:
		fprintf(out, "syslog:%s facility=%s level=%s\n", log->path,
			log_facility_name(log->facility),
			log_level_name(log->level));
		break;
	case SINK_STDERR:
		fputs("stderr\n", out);
		break;
	case SINK_FILE:
		fprintf(out, "file:%s\n", log->path);
		break;
	case SINK_NONE:
		fputs("none\n", out);
		break;
	}
}

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

static void print_value(FILE *out, const struct policy *p, enum policy_key key)
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
		print_value(out, p, k);
	}
	fputs(" -> ", out);
	schedule_print(out, p);
	fputc('\n', out);
}

/* Where a value came from; the built-in bounds say what replaces them. */
static const char *origin_of(const struct config *cfg, int f, int k)
{
	const struct policy *p = &cfg->policy[f];
	if (k == KEY_DEADLINE && p->deadline_builtin)
		return "built-in bound; setting tries or deadline replaces it";
	if (k == KEY_MAX_DELAY && p->max_delay_builtin) {
		struct policy builtin;
		policy_builtin(&builtin, f);
		if (p->max_delay != builtin.max_delay)
			return "built-in cap, raised to delay or min_delay";
	}
	return config_origin(cfg, f, k);
}

static void explain_family(FILE *out, const struct config *cfg, int f)
{
	const struct policy *p = &cfg->policy[f];
	if (!p->enabled) {
		fprintf(out, "%s: off (not in 'on'): every call passes "
			"through\n", family_name(f));
		return;
	}
	fprintf(out, "%s:", family_name(f));
	explain_summary(out, p);
	for (int k = 0; k < POLICY_KEY_COUNT; k++) {
		char value[512] = "";
		FILE *v = fmemopen(value, sizeof(value) - 1, "w");
		if (v) {
			print_value(v, p, k);
			fclose(v);
		}
		fprintf(out, "    %-15s %-8s  from %s\n", policy_key_name(k),
			value, origin_of(cfg, f, k));
	}
}

int explain(FILE *out, const struct config *cfg)
{
	if (cfg->problem_count) {
		for (int i = 0; i < cfg->problem_count && i < PROBLEMS_KEPT; i++)
			fprintf(out, "%s\n", cfg->problem[i]);
		if (cfg->problem_count > PROBLEMS_KEPT)
			fprintf(out, "... and %d more problems\n",
				cfg->problem_count - PROBLEMS_KEPT);
		fprintf(out, "configuration rejected: %s\n", cfg->strict ?
			"the program would exit with status 78 "
			"(KAIORETRY_STRICT=1)" :
			"every call would pass through untouched");
		return 1;
	}
	if (cfg->program_unselected) {
		fprintf(out, "program '%s' is not in 'programs': every call "
			"passes through untouched\n", cfg->program[0][0] ?
			cfg->program[0] : "(none given; use --program NAME)");
		return 0;
	}
	if (cfg->pass_through) {
		fputs("KAIORETRY=off: every call passes through untouched\n",
		      out);
		return 0;
	}
	fprintf(out, "file: %s\n", cfg->file[0] ? cfg->file : "(none)");
	print_log(out, &cfg->log);
	fputs("built-in: delay=0.1 backoff=2 max_delay=2, tries=-1 within a "
	      "10 s deadline, not kaioretry's tries=-1 delay=0: those suit "
	      "one call a programmer chose; under a preload they would "
	      "busy-loop and could hang a program for good on an error it "
	      "handles\n", out);
	for (int f = 0; f < FAMILY_COUNT; f++)
		explain_family(out, cfg, f);
	explain_destinations(out, cfg);
	return 0;
}
