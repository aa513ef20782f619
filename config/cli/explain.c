/* explain.c: `kaioretry --explain`: each family's effective policy, the
 * origin of every value ("built-in", "file:line" or the variable), and
 * the schedule of sleeps it implies. */
#include "cli.h"

#include <syslog.h>
#include <sysexits.h>

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
		fprintf(out, "syslog:%s facility=%s level=%s%s\n", log->path,
			log_facility_name(log->facility),
			log_level_name(log->level),
			log->format == LOG_FORMAT_RFC5424 ? " format=rfc5424" :
			"");
		break;
	case SINK_JOURNAL:
		fprintf(out, "journal:%s facility=%s level=%s\n", log->path,
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

static void print_table(FILE *out, const struct config *cfg)
{
	fputs("table: ", out);
	switch (cfg->table_place) {
	case TABLE_AUTO:
		fputs("auto (/run/user/UID when it is the user's, else "
		      "/dev/shm)", out);
		break;
	case TABLE_OFF:
		fputs("off (no counters for kaioretry stats/top; a host "
		      "budget counts per process)", out);
		break;
	case TABLE_DIR:
		fputs(cfg->table_dir, out);
		break;
	}
	fputs("\n", out);
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
	if (family_never_retried(f)) {
		fprintf(out, "%s: never retried (close, fsync, fdatasync, "
			"ftruncate); fault injection only\n", family_name(f));
		return;
	}
	if (!p->enabled && family_opt_in(f)) {
		fprintf(out, "%s: off unless asked for ('on = all, %s', or a "
			"[%s %s] section, whose calls retry)\n",
			family_name(f), family_name(f), family_name(f),
			f == FAMILY_OPEN ? "GLOB" : "ADDR:PORT");
		return;
	}
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
			print_policy_value(v, p, k);
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
		if (cfg->strict)
			fprintf(out, "configuration rejected: the program "
				"would exit with status %d "
				"(KAIORETRY_STRICT=1)\n", EX_CONFIG);
		else
			fputs("configuration rejected: every call would pass "
			      "through untouched\n", out);
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
	print_table(out, cfg);
	fputs("built-in: delay=0.1 backoff=2 max_delay=2, tries=-1 within a "
	      "10 s deadline, not kaioretry's tries=-1 delay=0: those suit "
	      "one call a programmer chose; under a preload they would "
	      "busy-loop and could hang a program for good on an error it "
	      "handles\n", out);
	for (int f = 0; f < FAMILY_COUNT; f++)
		explain_family(out, cfg, f);
	explain_destinations(out, cfg);
	explain_inject(out, cfg);
	return 0;
}
