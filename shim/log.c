/* log.c: turns the events of a retry series into records.
 *
 * Lines follow kaioretry's log ("N tries remaining", "sleeping S
 * seconds", "failed to complete"), prefixed with the program name and
 * the series UUID, and each names the call and its target.  Severity:
 * the first failure and giving up are warnings, progress is info,
 * success is a notice. */
#include "log.h"

#include <errno.h>
#include <syslog.h>

#include "../config/beyond.h"
#include "../config/errnames.h"
#include "monotonic.h"
#include "ready_note.h"
#include "sink.h"
#include "target.h"

/* Tries logged one by one before sampling starts. */
#define TRIES_LOGGED_IN_FULL 5

static bool sampled(uint64_t try_number)
{
	if (try_number <= TRIES_LOGGED_IN_FULL)
		return true;
	while (try_number % 10 == 0)
		try_number /= 10;
	return try_number == 1;
}

/* The fault the injector put into this thread's last attempt, noted
 * by inject.c so that the records of that attempt say so. */
static __thread struct {
	const char *call;		/* NULL: the last attempt was real */
	const char *rule_text;
	int rule;
	uint64_t number;
} injected __attribute__((tls_model("initial-exec")));

void log_line_begin(struct text *t)
{
	t->len = 0;
	t->buf[0] = '\0';
	text_escaped(t, program_invocation_short_name,
		     __builtin_strlen(program_invocation_short_name));
	text_str(t, ": ");
}

static void begin_line(struct text *t, const struct series *s)
{
	log_line_begin(t);
	text_str(t, s->uuid);
	text_str(t, ": ");
}

static void call_and_target(struct text *t, const struct series *s)
{
	text_str(t, s->call);
	text_str(t, "(");
	target_text(t, &s->target);
	text_str(t, ")");
}

void log_error_text(struct text *t, int code)
{
	const char *name = errname_of(code);
	if (name) {
		text_str(t, name);
	} else {
		text_str(t, "error ");
		text_int(t, code);
	}
	text_str(t, " (");
	text_str(t, errname_describe(code));
	text_str(t, ")");
}

/* A connect try a readiness check held back reaches the series as
 * ECONNREFUSED; its line says what the server said instead. */
static bool held_back(const struct series *s, int code)
{
	int fd;
	return s->family == FAMILY_CONNECT && code == ECONNREFUSED &&
	       ready_note_get(&fd);
}

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

static void budget_text(struct text *t, const struct policy *p)
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
		budget_text(t, p);
	}
}

static void policy_text(struct text *t, const struct policy *p)
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

/* The record to write at `severity`, begun with the line's prefix; NULL
 * when the log does not take it, or when it is dropped for want of
 * memory.  Records live off the stack (sink.c); each goes to emit. */
static struct text *record(struct series *s, int severity)
{
	if (s->log->sink == SINK_NONE || severity > s->log->level)
		return NULL;
	struct text *t = sink_record();
	if (!t) {
		s->records_dropped++;
		return NULL;
	}
	begin_line(t, s);
	return t;
}

static void emit(struct series *s, int severity, struct text *t)
{
	if (!sink_deliver(s->log, severity, t))
		s->records_dropped++;
}

void log_note_fault(const char *call, int rule, const char *rule_text,
		    uint64_t number)
{
	injected.call = call;
	injected.rule = rule;
	injected.rule_text = rule_text;
	injected.number = number;
}

void log_clear_fault(void)
{
	injected.call = NULL;
}

bool log_fault_injected(const char *call)
{
	return injected.call && __builtin_strcmp(injected.call, call) == 0;
}

void log_rule_name(struct text *t, int rule, const char *rule_text)
{
	text_str(t, "rule ");
	text_int(t, rule + 1);
	text_str(t, " '");
	text_str(t, rule_text);
	text_str(t, "'");
}

static void fault_mark(struct text *t, const char *call)
{
	if (!log_fault_injected(call))
		return;
	text_str(t, " (injected by ");
	log_rule_name(t, injected.rule, injected.rule_text);
	text_str(t, ", call #");
	text_uint(t, injected.number);
	text_str(t, ")");
}

/* What failed: the error, or what a readiness check heard. */
static void failure_text(struct text *t, const struct series *s, int code)
{
	if (held_back(s, code))
		ready_note_text(t);
	else
		log_error_text(t, code);
	fault_mark(t, s->call);
}

/* A warning begun with "connect(127.0.0.1:5432) failed: ECONNREFUSED
 * (Connection refused)", or NULL as record(). */
static struct text *first_failure_record(struct series *s)
{
	struct text *t = record(s, LOG_WARNING);
	if (!t)
		return NULL;
	call_and_target(t, s);
	if (held_back(s, s->first_code)) {
		text_str(t, " ");
		ready_note_text(t);
	} else {
		text_str(t, " failed: ");
		log_error_text(t, s->first_code);
	}
	return t;
}

void log_first_failure(struct series *s)
{
	struct text *t = first_failure_record(s);
	if (!t)
		return;
	fault_mark(t, s->call);
	text_str(t, "; ");
	policy_text(t, s->policy);
	emit(s, LOG_WARNING, t);
}

void log_new_failure(struct series *s)
{
	struct text *t;
	if (!sampled(s->calls)) {
		s->lines_left_out++;
		return;
	}
	t = record(s, LOG_INFO);
	if (!t)
		return;
	call_and_target(t, s);
	text_str(t, " failed on try #");
	text_uint(t, s->calls);
	text_str(t, ": ");
	failure_text(t, s, s->last_code);
	emit(s, LOG_INFO, t);
}

void log_waiting(struct series *s)
{
	struct text *t;
	if (!sampled(s->calls)) {
		s->lines_left_out += s->sleep > 0 ? 2 : 1;
		return;
	}
	t = record(s, LOG_INFO);
	if (!t)
		return;
	if (s->policy->tries > 0) {
		text_uint(t, (uint64_t)s->policy->tries - s->calls);
		text_str(t, " tries remaining for ");
	} else {
		text_str(t, "try #");
		text_uint(t, s->calls + 1);
		text_str(t, " of ");
	}
	call_and_target(t, s);
	emit(s, LOG_INFO, t);
	if (s->sleep <= 0)
		return;
	t = record(s, LOG_INFO);
	if (!t)
		return;
	text_str(t, "sleeping ");
	text_decimal(t, s->sleep);
	text_str(t, " seconds before ");
	call_and_target(t, s);
	emit(s, LOG_INFO, t);
}

void log_outcome(struct series *s)
{
	bool ok = s->last_code == 0;
	struct text *t = record(s, ok ? LOG_NOTICE : LOG_WARNING);
	if (!t)
		return;
	call_and_target(t, s);
	if (ok)
		text_str(t, " succeeded after ");
	else if (s->interrupted)
		text_str(t, " interrupted by a signal after ");
	else
		text_str(t, " failed to complete after ");
	text_uint(t, s->calls);
	text_str(t, s->calls == 1 ? " try in " : " tries in ");
	text_decimal(t, (double)(uint64_t)(monotonic_since(&s->started) * 1000 +
					     0.5) / 1000);
	text_str(t, " s");
	if (!ok) {
		text_str(t, ": ");
		failure_text(t, s, s->last_code);
	}
	if (!ok && s->stop == STOP_DEADLINE) {
		text_str(t, "; deadline of ");
		text_decimal(t, s->policy->deadline);
		text_str(t, " s reached");
	} else if (!ok && s->stop == STOP_BUDGET) {
		text_str(t, "; retry budget exhausted");
	} else if (!ok && s->stop == STOP_NO_SLEEP) {
		text_str(t, "; the system refused to let it sleep");
	}
	if (s->lines_left_out) {
		text_str(t, " (");
		text_uint(t, s->lines_left_out);
		text_str(t, " lines left out)");
	}
	if (s->records_dropped) {
		text_str(t, " (");
		text_uint(t, s->records_dropped);
		text_str(t, " log records dropped)");
	}
	emit(s, ok ? LOG_NOTICE : LOG_WARNING, t);
}

void log_budget_refused(struct series *s, uint64_t also_refused)
{
	struct text *t = first_failure_record(s);
	if (!t)
		return;
	text_str(t, "; not retried: retry budget exhausted (");
	budget_text(t, s->policy);
	if (also_refused) {
		text_str(t, "; ");
		text_uint(t, also_refused);
		text_str(t, " more calls not retried since the last report");
	}
	text_str(t, ")");
	emit(s, LOG_WARNING, t);
}

void log_send(const struct log_settings *log, int severity,
	      const struct text *line)
{
	if (log->sink != SINK_NONE && severity <= log->level)
		sink_send(log, severity, line);
}

void log_fault_not_retried(const struct log_settings *log, const char *call,
			   const struct text *target, int code)
{
	struct text t;
	log_line_begin(&t);
	text_str(&t, call);
	text_str(&t, "(");
	text_mem(&t, target->buf, target->len);
	text_str(&t, ") failed: ");
	log_error_text(&t, code);
	fault_mark(&t, call);
	text_str(&t, "; not retried");
	log_send(log, LOG_WARNING, &t);
}

void log_problem(const struct log_settings *log, const char *message)
{
	struct text t = { 0 };
	/* Values in a problem are already escaped by the loader (\xNN), so
	 * a backslash stays as it is; control bytes are still escaped. */
	for (const char *p = message; *p;) {
		const char *slash = __builtin_strchr(p, '\\');
		size_t len = slash ? (size_t)(slash - p) : __builtin_strlen(p);
		text_escaped(&t, p, len);
		if (!slash)
			break;
		text_str(&t, "\\");
		p = slash + 1;
	}
	struct log_settings to_stderr = *log;
	to_stderr.sink = SINK_STDERR;
	sink_send(&to_stderr, LOG_ERR, &t);
	if (log->sink != SINK_STDERR && log->sink != SINK_NONE)
		sink_send(log, LOG_ERR, &t);
}
