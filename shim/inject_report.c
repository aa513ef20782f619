/* inject_report.c: KAIORETRY_INJECT_REPORT, the machine-readable
 * account of a run for CI: at exit, a JSON object with the program's
 * name and pid, the seed (a string: it may exceed 2^53) and each rule
 * the run had with its matches, faults, delays and shortenings, the
 * numbers the exit summary logs, and when it was in force (added_at,
 * cleared_at: seconds since start, null for never).
 *
 * The file is written with raw system calls, so no injector or wrapper
 * sees them, to a temporary name renamed into place: a reader finds the
 * old report or the whole new one.  "%p" in the path is the pid.  A
 * fork child writes only to a path with %p, so it cannot overwrite its
 * parent's report; the program holds no descriptor of ours meanwhile. */
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "inject.h"
#include "inject_rules.h"

static char path[INJECT_REPORT_MAX + 64];	/* absolute; "": none */
static pid_t started_by;

void inject_report_start(const struct config *cfg)
{
	const char *given = cfg->inject.report;
	size_t len = __builtin_strlen(given), at = 0;
	if (!len)
		return;
	if (given[0] != '/') {
		/* raw: one import less for the loader to bind at start */
		if (syscall(SYS_getcwd, path, sizeof(path) - len - 2) <= 0 ||
		    path[0] != '/')
			return;
		at = __builtin_strlen(path);
		path[at++] = '/';
	}
	__builtin_memcpy(path + at, given, len + 1);
	started_by = getpid();
}

/* A JSON string: quotes, backslashes, control and non-ASCII bytes
 * escaped, so the file parses whatever the program is called. */
static void json_string(struct text *t, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	text_str(t, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
		if (c == '"' || c == '\\')
			esc[1] = (char)c, esc[2] = '\0';
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			text_str(t, esc);
		else
			text_mem(t, (const char *)&c, 1);
	}
	text_str(t, "\"");
}

static void put(int fd, const struct text *t)
{
	size_t done = 0;
	while (done < t->len) {
		long n = syscall(SYS_write, fd, t->buf + done, t->len - done);
		if (n <= 0)
			return;
		done += (size_t)n;
	}
}

/* path with %p replaced by the pid; false if it does not fit. */
static bool final_path(char *out, size_t size, pid_t pid, bool *per_pid)
{
	struct text t = { 0 };
	*per_pid = false;
	for (const char *p = path; *p; p++) {
		if (p[0] == '%' && p[1] == 'p') {
			text_uint(&t, (uint64_t)pid);
			*per_pid = true;
			p++;
		} else {
			text_mem(&t, p, 1);
		}
	}
	if (t.len + 32 >= size || t.len + 32 >= TEXT_MAX)
		return false;
	__builtin_memcpy(out, t.buf, t.len);
	out[t.len] = '\0';
	return true;
}

/* Seconds since start, or null. */
static void json_seconds(struct text *t, uint64_t ns)
{
	if (ns == INJECT_NEVER)
		text_str(t, "null");
	else
		text_decimal(t, (double)(ns / 1000000) / 1000);
}

static void write_rules(int fd)
{
	struct text t;
	const char *sep = "\n    {\"rule\": ";
	for (uint64_t rules = inject_rules_defined(); rules;
	     rules &= rules - 1) {
		int i = __builtin_ctzll(rules);
		struct inject_stats s = inject_stats_of(i);
		struct inject_lifetime life = inject_lifetime_of(i);
		t.len = 0;
		text_str(&t, sep);
		sep = ",\n    {\"rule\": ";
		text_int(&t, i + 1);
		text_str(&t, ", \"text\": ");
		json_string(&t, inject_rule_of(i)->text);
		text_str(&t, ", \"added_at\": ");
		json_seconds(&t, life.added_ns);
		text_str(&t, ", \"cleared_at\": ");
		json_seconds(&t, life.cleared_ns);
		text_str(&t, ", \"matches\": ");
		text_uint(&t, s.matched);
		text_str(&t, ", \"faults\": ");
		text_uint(&t, s.failed);
		text_str(&t, ", \"delays\": ");
		text_uint(&t, s.delayed);
		text_str(&t, ", \"shortenings\": ");
		text_uint(&t, s.shortened);
		text_str(&t, "}");
		put(fd, &t);
	}
}

__attribute__((destructor)) static void inject_report_write(void)
{
	uint64_t seed;
	const struct config *cfg = inject_active(&seed);
	char final[sizeof(path)], tmp[sizeof(path) + 24];
	struct text t = { 0 };
	bool per_pid;
	pid_t pid = getpid();
	if (!cfg || !path[0] || !final_path(final, sizeof(final), pid, &per_pid) ||
	    (pid != started_by && !per_pid))
		return;
	text_str(&t, final);
	text_str(&t, ".tmp");
	text_uint(&t, (uint64_t)pid);
	__builtin_memcpy(tmp, t.buf, t.len + 1);

	int saved = errno;
	int fd = (int)syscall(SYS_openat, AT_FDCWD, tmp,
			      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		errno = saved;
		return;
	}
	t.len = 0;
	text_str(&t, "{\"program\": ");
	json_string(&t, program_invocation_short_name);
	text_str(&t, ", \"pid\": ");
	text_int(&t, pid);
	text_str(&t, ", \"seed\": \"");
	text_uint(&t, seed);
	text_str(&t, cfg->inject.seed_given ? "\", \"seed_given\": true" :
		 "\", \"seed_given\": false");
	text_str(&t, ",\n  \"rules\": [");
	put(fd, &t);
	write_rules(fd);
	t.len = 0;
	text_str(&t, "\n  ]}\n");
	put(fd, &t);
	syscall(SYS_close, fd);
	if (syscall(SYS_renameat, AT_FDCWD, tmp, AT_FDCWD, final) != 0)
		syscall(SYS_unlinkat, AT_FDCWD, tmp, 0);
	errno = saved;
}
