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

#include "../config/errnames.h"
#include "log_policy.h"
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
	if (sink_takes_facts(s->log))
		target_text(sink_record_target(t), &s->target);
	return t;
}

/* The rule that injected this thread's last fault into `call`, or NULL. */
static const char *injected_rule(const char *call)
{
	return log_fault_injected(call) ? injected.rule_text : NULL;
}

/* Sends a record of try number `try_number`, which failed with `code`
 * (0: succeeded); `outcome` names how the series ended, on its last. */
static void emit_facts(struct series *s, int severity, struct text *t,
		       uint64_t try_number, int code, const char *outcome)
{
	struct record_facts facts = {
		.series = s->uuid, .call = s->call,
		.target = sink_takes_facts(s->log) ? sink_record_target(t) : NULL,
		.try_number = try_number, .code = code, .outcome = outcome,
		.injected = injected_rule(s->call),
	};
	if (!sink_deliver(s->log, severity, t, &facts))
		s->records_dropped++;
}

static void emit(struct series *s, int severity, struct text *t)
{
	emit_facts(s, severity, t, s->calls, s->last_code, NULL);
}

/* How a series ended, as KAIORETRY_OUTCOME and outcome="..." say it. */
static const char *outcome_name(const struct series *s)
{
	if (s->last_code == 0)
		return "succeeded";
	if (s->interrupted)
		return "interrupted";
	switch (s->stop) {
	case STOP_DEADLINE: return "deadline";
	case STOP_BUDGET: return "budget_exhausted";
	case STOP_NO_SLEEP: return "no_sleep";
	default: return "gave_up";
	}
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
	log_policy_text(t, s->policy);
	emit_facts(s, LOG_WARNING, t, 1, s->first_code, NULL);
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
	emit_facts(s, ok ? LOG_NOTICE : LOG_WARNING, t, s->calls, s->last_code,
		   outcome_name(s));
}

void log_budget_refused(struct series *s, uint64_t also_refused)
{
	struct text *t = first_failure_record(s);
	if (!t)
		return;
	text_str(t, "; not retried: retry budget exhausted (");
	log_budget_text(t, s->policy);
	if (also_refused) {
		text_str(t, "; ");
		text_uint(t, also_refused);
		text_str(t, " more calls not retried since the last report");
	}
	text_str(t, ")");
	emit_facts(s, LOG_WARNING, t, 1, s->first_code, "not_retried");
}

void log_send(const struct log_settings *log, int severity,
	      const struct text *line)
{
	if (log->sink != SINK_NONE && severity <= log->level)
		sink_send(log, severity, line, NULL);
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
	struct record_facts facts = {
		.call = call, .target = target, .try_number = 1,
		.code = code, .outcome = "not_retried",
		.injected = injected_rule(call),
	};
	if (log->sink != SINK_NONE && LOG_WARNING <= log->level)
		sink_send(log, LOG_WARNING, &t, &facts);
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
	sink_send(&to_stderr, LOG_ERR, &t, NULL);
	if (log->sink != SINK_STDERR && log->sink != SINK_NONE)
		sink_send(log, LOG_ERR, &t, NULL);
}
