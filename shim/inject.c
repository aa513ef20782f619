/* inject.c: the fault injector's decisions, counters and log.
 *
 * Each rule counts the calls that match its call set and filters, from
 * 1, with an atomic counter shared by the threads; a fork() child
 * counts from zero.  Whether the n-th call fails, and with which of the
 * rule's errors, is a hash of (seed, rule, n): the same seed gives the
 * same faults on every run, whatever the threads interleave, and the
 * program's rand()/random() are never touched.  Everything here runs
 * only on the injection path; without rules it is never reached. */
#include "inject.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/random.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "../common/glob.h"
#include "../common/rng.h"
#include "guard.h"
#include "inject_control.h"
#include "inject_rules.h"
#include "log.h"
#include "monotonic.h"
#include "progmem.h"
#include "series.h"

static const struct config *active;	/* NULL: injection is off */
static uint64_t seed;
static struct inject_stats stats[INJECT_SLOTS];	/* by rule number */

bool inject_on(void)
{
	return active != NULL;
}

const struct config *inject_active(uint64_t *seed_out)
{
	*seed_out = seed;
	return active;
}

struct inject_stats inject_stats_of(int rule)
{
	const struct inject_stats *s = &stats[rule];
	return (struct inject_stats){
		__atomic_load_n(&s->matched, __ATOMIC_RELAXED),
		__atomic_load_n(&s->failed, __ATOMIC_RELAXED),
		__atomic_load_n(&s->delayed, __ATOMIC_RELAXED),
		__atomic_load_n(&s->shortened, __ATOMIC_RELAXED) };
}

static __thread int nested __attribute__((tls_model("initial-exec")));

void inject_nested_enter(void)
{
	nested++;
}

void inject_nested_leave(void)
{
	nested--;
}

static bool addr_matches(const struct inject_rule *r,
			 const struct inject_subject *s)
{
	const struct sockaddr *a = s->addr;
	if (!a || s->addr_len < sizeof(sa_family_t))
		return false;
	if (a->sa_family == AF_INET && s->addr_len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)a;
		if (r->addr_family && (r->addr_family != AF_INET ||
		    __builtin_memcmp(&in->sin_addr, r->addr, 4)))
			return false;
		return !r->port || ntohs(in->sin_port) == r->port;
	}
	if (a->sa_family == AF_INET6 &&
	    s->addr_len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)a;
		if (r->addr_family && (r->addr_family != AF_INET6 ||
		    __builtin_memcmp(&in6->sin6_addr, r->addr, 16)))
			return false;
		return !r->port || ntohs(in6->sin6_port) == r->port;
	}
	return false;
}

/* Host names match their glob without regard to case. */
static bool host_matches(const char *glob, const char *host)
{
	return glob_match(glob, __builtin_strlen(glob), host,
			  __builtin_strlen(host), true);
}

/* at=: a fork child keeps its parent's start, as an outage of the
 * world outside is the same for both. */
static bool in_window(const struct inject_rule *r)
{
	uint64_t ns = inject_elapsed_ns();
	return ns >= r->at_from_ns && ns < r->at_until_ns;
}

/* The file a call is about, read once per call when a path= rule
 * first asks; "" when there is none (a socket's "socket:[N]" is no
 * path, nor is a name longer than the buffer). */
struct seen_path {
	bool read;
	char text[INJECT_PATH_MAX * 2];
};

/* "/proc/self/fd/N" */
static void fd_link_name(char name[32], int fd)
{
	char digits[12];
	int n = 0;
	unsigned v = (unsigned)fd;
	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < (int)sizeof(digits));
	__builtin_memcpy(name, "/proc/self/fd/", 14);
	for (int i = 0; i < n; i++)
		name[14 + i] = digits[n - 1 - i];
	name[14 + n] = '\0';
}

static const char *path_of(const struct inject_subject *s,
			   struct seen_path *seen)
{
	if (seen->read)
		return seen->text;
	seen->read = true;
	seen->text[0] = '\0';
	if (s->path) {
		if (!progmem_string(seen->text, sizeof(seen->text), s->path))
			seen->text[0] = '\0';	/* unreadable, or too long */
		return seen->text;
	}
	if (s->fd < 0)
		return seen->text;
	char name[32];
	int saved = errno;
	fd_link_name(name, s->fd);
	guard_enter();
	ssize_t n = readlink(name, seen->text, sizeof(seen->text));
	guard_leave();
	errno = saved;
	if (n <= 0 || (size_t)n >= sizeof(seen->text) || seen->text[0] != '/')
		n = 0;
	seen->text[n] = '\0';
	return seen->text;
}

static bool path_matches(const struct inject_rule *r,
			 const struct inject_subject *s,
			 struct seen_path *seen)
{
	const char *path = path_of(s, seen);
	return path[0] && glob_match(r->path, __builtin_strlen(r->path), path,
				     __builtin_strlen(path), false);
}

static bool filters_match(const struct inject_rule *r,
			  const struct inject_subject *s,
			  struct seen_path *seen)
{
	if ((r->at_from_ns || r->at_until_ns != INJECT_AT_OPEN) &&
	    !in_window(r))
		return false;
	if ((r->addr_family || r->port) && !addr_matches(r, s))
		return false;
	if (r->host[0] && (!s->host || !host_matches(r->host, s->host)))
		return false;
	if (r->path[0] && !path_matches(r, s, seen))
		return false;
	return true;
}

bool inject_decide(const struct inject_subject *subject,
		   struct inject_decision *d)
{
	struct seen_path seen;
	seen.read = false;
	*d = (struct inject_decision){ .rule = -1 };
	log_clear_fault();
	if (nested)
		return false;
	inject_control_poll();
	for (uint64_t in_force = inject_rules_in_force(); in_force;
	     in_force &= in_force - 1) {
		int i = __builtin_ctzll(in_force);
		const struct inject_rule *r = inject_rule_of(i);
		if (!inject_calls_has(&r->calls, subject->id) ||
		    !filters_match(r, subject, &seen))
			continue;
		uint64_t n = __atomic_add_fetch(&stats[i].matched, 1,
						__ATOMIC_RELAXED);
		if (d->rule >= 0 || !inject_when_selects(r, n))
			continue;
		uint64_t h = rng_hash(rng_hash(seed ^ rng_hash((uint64_t)i)) ^
				      n);
		if (r->p < 1 && rng_bits_unit(h) >= r->p)
			continue;
		d->rule = i;
		d->number = n;
		int error = r->error_count ?
			    r->errors[rng_hash(h) % (uint64_t)r->error_count] : 0;
		d->error = r->limit ? 0 : error;
		d->limit_error = r->limit ? error : 0;
		d->delay = r->hang ? r->hang : r->delay +
			   (r->delay_max - r->delay) *
			   rng_bits_unit(rng_hash(h ^ 0x6a09e667f3bcc909u));
		d->short_bytes = r->short_bytes;
		d->limit = r->limit;
		d->rate = r->rate;
		if (r->delay > 0 || r->delay_max > 0)
			__atomic_add_fetch(&stats[i].delayed, 1,
					   __ATOMIC_RELAXED);
	}
	return d->rule >= 0;
}

void inject_sleep(double seconds)
{
	struct timespec until = monotonic_in(seconds);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until,
			       NULL) == EINTR)
		;
}

void inject_shortened(const struct inject_decision *d)
{
	__atomic_add_fetch(&stats[d->rule].shortened, 1, __ATOMIC_RELAXED);
}

void inject_failed(const struct inject_decision *d, const char *call,
		   enum family family, int fd, int msg_flags,
		   const struct text *target)
{
	__atomic_add_fetch(&stats[d->rule].failed, 1, __ATOMIC_RELAXED);
	log_note_fault(call, d->rule, inject_rule_of(d->rule)->text,
		       d->number);
	/* In a series (the guard is held), the series logs it. */
	if (guard_held() || series_wanted(family, d->error, fd, msg_flags))
		return;
	log_fault_not_retried(&active->log, call, target, d->error);
}

void inject_check_failed(const struct inject_decision *d, struct text *t)
{
	__atomic_add_fetch(&stats[d->rule].failed, 1, __ATOMIC_RELAXED);
	text_str(t, "injected by ");
	log_rule_name(t, d->rule, inject_rule_of(d->rule)->text);
	text_str(t, ", check #");
	text_uint(t, d->number);
}

static void count_from_zero(void)
{
	__builtin_memset(stats, 0, sizeof(stats));
}

bool inject_begin(const struct config *cfg, struct inject_calls *calls)
{
	struct text t;
	if (!cfg || cfg->pass_through ||
	    (cfg->inject.count == 0 && !cfg->inject.control))
		return false;
	inject_rules_start(&cfg->inject);
	seed = cfg->inject.seed;
	if (!cfg->inject.seed_given &&
	    getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed)) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		seed = rng_hash((uint64_t)now.tv_nsec ^ (uint64_t)now.tv_sec << 30);
	}
	active = cfg;
	/* Every call: a rule may be added to any at run time. */
	for (unsigned id = 0; id < INJECT_CALL_COUNT; id++)
		inject_calls_add(calls, id);
	pthread_atfork(NULL, NULL, count_from_zero);

	log_line_begin(&t);
	text_str(&t, "fault injection on: ");
	text_int(&t, cfg->inject.count);
	text_str(&t, cfg->inject.count == 1 ? " rule, seed " : " rules, seed ");
	text_uint(&t, seed);
	text_str(&t, cfg->inject.seed_given ? " (given)" :
		 " (chosen; KAIORETRY_SEED=");
	if (!cfg->inject.seed_given) {
		text_uint(&t, seed);
		text_str(&t, " replays this run)");
	}
	log_send(&active->log, LOG_NOTICE, &t);
	return true;
}

/* "; added at 1.2 s, cleared at 3.4 s" for a rule not in force for
 * the whole run. */
static void lifetime(struct text *t, struct inject_lifetime life)
{
	if (life.at_start && life.cleared_ns == INJECT_NEVER)
		return;
	if (life.at_start) {
		text_str(t, "; from start");
	} else {
		text_str(t, "; added at ");
		text_decimal(t, (double)(life.added_ns / 1000000) / 1000);
		text_str(t, " s");
	}
	if (life.cleared_ns != INJECT_NEVER) {
		text_str(t, ", cleared at ");
		text_decimal(t, (double)(life.cleared_ns / 1000000) / 1000);
		text_str(t, " s");
	}
}

__attribute__((destructor)) static void inject_summary(void)
{
	struct text t;
	if (!active)
		return;
	for (uint64_t rules = inject_rules_defined(); rules;
	     rules &= rules - 1) {
		int i = __builtin_ctzll(rules);
		const struct inject_stats *s = &stats[i];
		const struct inject_rule *r = inject_rule_of(i);
		log_line_begin(&t);
		text_str(&t, "fault injection ");
		log_rule_name(&t, i, r->text);
		text_str(&t, ": matched ");
		text_uint(&t, __atomic_load_n(&s->matched, __ATOMIC_RELAXED));
		text_str(&t, ", failed ");
		text_uint(&t, __atomic_load_n(&s->failed, __ATOMIC_RELAXED));
		if (r->delay_max > 0) {
			text_str(&t, ", delayed ");
			text_uint(&t, __atomic_load_n(&s->delayed,
						      __ATOMIC_RELAXED));
		}
		if (r->short_bytes) {
			text_str(&t, ", shortened ");
			text_uint(&t, __atomic_load_n(&s->shortened,
						      __ATOMIC_RELAXED));
		}
		lifetime(&t, inject_lifetime_of(i));
		log_send(&active->log, LOG_NOTICE, &t);
	}
}
