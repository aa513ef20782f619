/* settings.c: keys and their effect on a policy or the global settings.
 *
 * Names are matched case-insensitively so that the env form
 * (KAIORETRY_MIN_DELAY) and the INI form (min_delay) share one table. */
#include "settings.h"

#include <string.h>
#include <syslog.h>

#include "beyond.h"
#include "program.h"
#include "ready_key.h"
#include "values.h"

static const char *const policy_keys[POLICY_KEY_COUNT] = {
#define X(UPPER, lower) #lower,
	POLICY_KEYS(X)
#undef X
};

static const char *const global_keys[GLOBAL_KEY_COUNT] = {
#define X(UPPER, lower) #lower,
	GLOBAL_KEYS(X)
#undef X
};

int policy_key_by_name(const char *name, size_t len)
{
	for (int k = 0; k < POLICY_KEY_COUNT; k++)
		if (name_is(name, len, policy_keys[k]))
			return k;
	return -1;
}

const char *policy_key_name(enum policy_key key)
{
	return policy_keys[key];
}

/* `none`: no cap, kaioretry's None (the built-in cap is 2 s). */
static const char *set_max_delay(struct policy *p, const char *v, size_t len)
{
	size_t tlen = len;
	const char *t = trim(v, &tlen);
	if (name_is(t, tlen, "none"))
		return p->max_delay = DELAY_UNBOUNDED, NULL;
	return parse_seconds(v, len, &p->max_delay);
}

static const char *set_nonblocking(struct policy *p, const char *v,
				   size_t len)
{
	v = trim(v, &len);
	if (name_is(v, len, "pass"))
		return p->nonblocking = NONBLOCKING_PASS, NULL;
	if (name_is(v, len, "wait"))
		return p->nonblocking = NONBLOCKING_WAIT, NULL;
	return "expected pass or wait";
}

const char *policy_set(struct policy *p, enum policy_key key,
		       const char *v, size_t len)
{
	if (key == KEY_TRIES || key == KEY_DEADLINE)
		policy_bound_chosen(p);
	if (key == KEY_MAX_DELAY)
		p->max_delay_builtin = false;
	switch (key) {
	case KEY_TRIES:
		return parse_tries(v, len, &p->tries);
	case KEY_DELAY:
		return parse_seconds(v, len, &p->delay);
	case KEY_BACKOFF:
		return parse_backoff(v, len, &p->backoff);
	case KEY_JITTER:
		return parse_jitter(v, len, &p->jitter_min, &p->jitter_max);
	case KEY_MIN_DELAY:
		return parse_seconds(v, len, &p->min_delay);
	case KEY_MAX_DELAY:
		return set_max_delay(p, v, len);
	case KEY_ERRORS:
		return parse_errors(v, len, &p->errors);
	case KEY_DEADLINE:
	case KEY_ATTEMPT_TIMEOUT:
		return parse_limit(v, len, key == KEY_DEADLINE ? &p->deadline :
				   &p->attempt_timeout);
	case KEY_READY:
		return parse_ready(v, len, &p->ready);
	case KEY_SPREAD:
		return parse_spread(v, len, &p->spread);
	case KEY_BUDGET:
		return parse_budget(v, len, &p->budget);
	case KEY_BUDGET_MIN:
		return parse_rate(v, len, &p->budget_min);
	case KEY_BUDGET_SCOPE:
		return parse_budget_scope(v, len, &p->budget_scope);
	case KEY_NONBLOCKING:
		return set_nonblocking(p, v, len);
	default:
		return "unknown key";
	}
}

int global_key_by_name(const char *name, size_t len)
{
	for (int k = 0; k < GLOBAL_KEY_COUNT; k++)
		if (name_is(name, len, global_keys[k]))
			return k;
	return -1;
}

static const char *set_sink(struct log_settings *log, const char *v,
			    size_t len)
{
	static const struct { const char *prefix; enum log_sink sink; } kinds[] = {
		{ "syslog:", SINK_SYSLOG }, { "file:", SINK_FILE },
		{ "journal:", SINK_JOURNAL },
	};
	v = trim(v, &len);
	if (name_is(v, len, "syslog")) {
		log->sink = SINK_SYSLOG;
		strcpy(log->path, "/dev/log");
		return NULL;
	}
	if (name_is(v, len, "journal")) {
		log->sink = SINK_JOURNAL;
		strcpy(log->path, "/run/systemd/journal/socket");
		return NULL;
	}
	if (name_is(v, len, "stderr") || name_is(v, len, "none")) {
		log->sink = name_is(v, len, "none") ? SINK_NONE : SINK_STDERR;
		log->path[0] = '\0';
		return NULL;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t plen = strlen(kinds[i].prefix);
		if (len <= plen || strncmp(v, kinds[i].prefix, plen) != 0)
			continue;
		if (v[plen] != '/')
			return "the path after syslog:, journal: or file: must "
			       "be absolute";
		if (len - plen >= sizeof(log->path))
			return "path too long";
		if (memchr(v, '\0', len))
			return "NUL byte in path";
		log->sink = kinds[i].sink;
		memcpy(log->path, v + plen, len - plen);
		log->path[len - plen] = '\0';
		return NULL;
	}
	return "expected syslog, syslog:/path, journal, journal:/path, stderr, "
	       "file:/path or none";
}

static const char *set_facility(struct log_settings *log, const char *v,
				size_t len)
{
	static const struct { const char *name; int facility; } names[] = {
		{ "user", LOG_USER }, { "daemon", LOG_DAEMON },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
		{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};
	v = trim(v, &len);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (name_is(v, len, names[i].name))
			return log->facility = names[i].facility, NULL;
	return "expected user, daemon or local0..local7";
}

static const char *set_level(struct log_settings *log, const char *v,
			     size_t len)
{
	static const struct { const char *name; int level; } names[] = {
		{ "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};
	v = trim(v, &len);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (name_is(v, len, names[i].name))
			return log->level = names[i].level, NULL;
	return "expected warning, notice, info or debug";
}

static const char *set_format(struct log_settings *log, const char *v,
			      size_t len)
{
	v = trim(v, &len);
	if (name_is(v, len, "rfc3164"))
		return log->format = LOG_FORMAT_RFC3164, NULL;
	if (name_is(v, len, "rfc5424"))
		return log->format = LOG_FORMAT_RFC5424, NULL;
	return "expected rfc3164 or rfc5424";
}

/* auto, off, or an absolute directory. */
static const char *set_table(struct config *cfg, const char *v, size_t len)
{
	v = trim(v, &len);
	if (name_is(v, len, "auto") || name_is(v, len, "off")) {
		cfg->table_place = name_is(v, len, "off") ? TABLE_OFF :
			TABLE_AUTO;
		cfg->table_dir[0] = '\0';
		return NULL;
	}
	if (!len || v[0] != '/')
		return "expected auto, off or an absolute directory";
	if (len >= sizeof(cfg->table_dir))
		return "path too long";
	if (memchr(v, '\0', len))
		return "NUL byte in path";
	cfg->table_place = TABLE_DIR;
	memcpy(cfg->table_dir, v, len);
	cfg->table_dir[len] = '\0';
	return NULL;
}

const char *global_set(struct config *cfg, enum global_key key,
		       const char *v, size_t len)
{
	bool enabled[FAMILY_COUNT];
	const char *why;

	switch (key) {
	case GLOBAL_ON:
		why = parse_families(v, len, enabled);
		for (int f = 0; !why && f < FAMILY_COUNT; f++)
			cfg->policy[f].enabled = enabled[f];
		return why;
	case GLOBAL_LOG:
		return set_sink(&cfg->log, v, len);
	case GLOBAL_LOG_FACILITY:
		return set_facility(&cfg->log, v, len);
	case GLOBAL_LOG_LEVEL:
		return set_level(&cfg->log, v, len);
	case GLOBAL_LOG_FORMAT:
		return set_format(&cfg->log, v, len);
	case GLOBAL_PROGRAMS:
		return program_select(cfg, v, len);
	case GLOBAL_TABLE:
		return set_table(cfg, v, len);
	default:
		return "unknown key";
	}
}
