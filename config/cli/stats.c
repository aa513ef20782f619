/* stats.c: `kaioretry stats` (the host tables in Prometheus' text
 * format, for node_exporter's textfile collector) and `kaioretry top`
 * (the same rows as a screen, refreshed).  The rows come from tables.c. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define USER_MAX 64

/* A label value as the text format wants it: backslash and double
 * quote escaped (rows hold printable ASCII only, tables.c, so there is
 * no newline to escape). */
static void label_value(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', out);
		fputc(*s, out);
	}
}

static void labels(FILE *out, const struct table_row *r)
{
	char user[USER_MAX];
	fputs("{user=\"", out);
	label_value(out, table_user_name(r->uid, user, sizeof(user)));
	fputs("\",program=\"", out);
	label_value(out, r->program);
	fputs("\",family=\"", out);
	label_value(out, r->family);
	fputs("\",target=\"", out);
	label_value(out, r->target);
	fputs("\"}", out);
}

static const struct metric {
	const char *name, *type, *help;
	size_t offset;
} metrics[] = {
#define COUNTER(name, field, help) \
	{ "kaioretry_" name, "counter", help, offsetof(struct table_row, field) }
	COUNTER("series_total", series,
		"Retry series started: calls that failed with an error the "
		"policy retries."),
	COUNTER("retries_total", retries,
		"Real calls made again after a first failure."),
	COUNTER("recoveries_total", recoveries,
		"Series that succeeded after a retry."),
	COUNTER("giveups_total", giveups,
		"Series that ended failing (tries, deadline or budget spent, "
		"or a signal)."),
	COUNTER("injected_total", injected,
		"Faults the fault injector put into retry series."),
#undef COUNTER
};

int stats_prometheus(FILE *out, const struct config *cfg)
{
	struct table_rows rows;
	tables_read(&rows, cfg);
	for (size_t m = 0; m < sizeof(metrics) / sizeof(metrics[0]); m++) {
		fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", metrics[m].name,
			metrics[m].help, metrics[m].name, metrics[m].type);
		for (size_t i = 0; i < rows.count; i++) {
			uint64_t value;
			memcpy(&value, (char *)&rows.row[i] + metrics[m].offset,
			       sizeof(value));
			fputs(metrics[m].name, out);
			labels(out, &rows.row[i]);
			fprintf(out, " %llu\n", (unsigned long long)value);
		}
	}
	fputs("# HELP kaioretry_last_event_timestamp_seconds When the last "
	      "retry event of the series happened (Unix time).\n"
	      "# TYPE kaioretry_last_event_timestamp_seconds gauge\n", out);
	for (size_t i = 0; i < rows.count; i++) {
		fputs("kaioretry_last_event_timestamp_seconds", out);
		labels(out, &rows.row[i]);
		fprintf(out, " %llu.%03llu\n",
			(unsigned long long)(rows.row[i].last_event_ms / 1000),
			(unsigned long long)(rows.row[i].last_event_ms % 1000));
	}
	tables_free(&rows);
	return ferror(out) ? 1 : 0;
}

static uint64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* Whether the row's last process still runs, and still has series open
 * (started, neither recovered nor given up; a process killed in a
 * series leaves one open for good, so it counts only while it runs). */
static const char *state_of(const struct table_row *r)
{
	if (r->pid == 0 || (kill((pid_t)r->pid, 0) != 0 && errno != EPERM))
		return "exited";
	return r->series > r->recoveries + r->giveups ? "retrying" : "running";
}

static int by_last_event(const void *a, const void *b)
{
	const struct table_row *x = a, *y = b;
	return x->last_event_ms < y->last_event_ms ? 1 :
	       x->last_event_ms > y->last_event_ms ? -1 : 0;
}

/* The retries of the row of the same key in `before`, for a rate. */
static uint64_t retries_before(const struct table_rows *before,
			       const struct table_row *r)
{
	for (size_t i = 0; i < before->count; i++) {
		const struct table_row *b = &before->row[i];
		if (b->uid == r->uid && !strcmp(b->program, r->program) &&
		    !strcmp(b->family, r->family) &&
		    !strcmp(b->target, r->target))
			return b->retries <= r->retries ? b->retries : r->retries;
	}
	return 0;
}

/* One screen; with `before` (rows `seconds` ago), retries per second. */
static void screen(FILE *out, struct table_rows *rows,
		   const struct table_rows *before, double seconds)
{
	char user[USER_MAX];
	uint64_t now = now_ms();
	time_t wall = (time_t)(now / 1000);
	struct tm tm;
	localtime_r(&wall, &tm);
	qsort(rows->row, rows->count, sizeof(rows->row[0]), by_last_event);
	fprintf(out, "kaioretry top - %02d:%02d:%02d  tables: %zu  rows: %zu\n\n",
		tm.tm_hour, tm.tm_min, tm.tm_sec, rows->tables, rows->count);
	fprintf(out, "%-8s %7s %-8s %-15s %-11s %-28s %7s %8s %7s %9s %7s "
		"%8s %6s\n", "USER", "PID", "STATE", "PROGRAM", "FAMILY",
		"TARGET", "SERIES", "RETRIES", "RETRY/S", "RECOVERED",
		"GAVE_UP", "INJECTED", "AGE");
	for (size_t i = 0; i < rows->count; i++) {
		const struct table_row *r = &rows->row[i];
		char rate[16] = "-";
		if (before && seconds > 0)
			snprintf(rate, sizeof(rate), "%.1f",
				 (double)(r->retries - retries_before(before, r)) /
				 seconds);
		double age = now > r->last_event_ms ?
			     (double)(now - r->last_event_ms) / 1000 : 0;
		fprintf(out, "%-8s %7u %-8s %-15s %-11s %-28s %7llu %8llu %7s "
			"%9llu %7llu %8llu %5.0fs\n",
			table_user_name(r->uid, user, sizeof(user)), r->pid,
			state_of(r), r->program, r->family, r->target,
			(unsigned long long)r->series,
			(unsigned long long)r->retries, rate,
			(unsigned long long)r->recoveries,
			(unsigned long long)r->giveups,
			(unsigned long long)r->injected, age);
	}
	if (!rows->tables)
		fputs("(no kaioretry table: no program under kaioretry has "
		      "retried yet, or `table = off`)\n", out);
}

int stats_top(FILE *out, const struct config *cfg, bool once,
	      double interval)
{
	struct table_rows rows, before = { 0 };
	for (bool first = true;; first = false) {
		tables_read(&rows, cfg);
		if (!once)
			fputs("\033[H\033[J", out);
		screen(out, &rows, first ? NULL : &before, interval);
		fflush(out);
		tables_free(&before);
		before = rows;
		if (once || ferror(out))
			break;
		struct timespec t = { (time_t)interval,
				      (long)((interval - (double)(time_t)interval) *
					     1e9) };
		while (nanosleep(&t, &t) != 0 && errno == EINTR)
			;
	}
	tables_free(&before);
	return 0;
}
