/* series.c: kaioretry's retry loop for one failed call.
 *
 * It decides whether a failure starts a series (a retryable error on a
 * call that may block), counts tries, sleeps the policy's delays, and
 * stops early when a signal handler without SA_RESTART ran, in any
 * thread, as the interrupted blocking call would have.  errno is saved
 * right after each real call and put back last, so logging and
 * sleeping never show. */
#include "series.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/delay.h"
#include "../common/rng.h"
#include "budget.h"
#include "guard.h"
#include "hosttable.h"
#include "log.h"
#include "monotonic.h"
#include "ready_note.h"
#include "runtime.h"
#include "signals.h"

/* Sleeping on a non-blocking descriptor would freeze an event loop:
 * kaioretry's "never use retry() in an asyncio context". */
static bool may_block(int fd, int msg_flags)
{
	if (fd < 0)
		return true;
	if (msg_flags & MSG_DONTWAIT)
		return false;
	int fl = fcntl(fd, F_GETFL);
	return fl != -1 && !(fl & O_NONBLOCK);
}

#define UUID_BYTES 16

/* A random UUID, and the state of the series' generator from the same
 * draw. */
static void new_identity(struct series *s)
{
	uint8_t id[UUID_BYTES + sizeof(uint64_t)];
	if (getrandom(id, sizeof(id), GRND_NONBLOCK) != (ssize_t)sizeof(id)) {
		uint64_t seed = (uint64_t)s->started.tv_nsec ^
				((uint64_t)getpid() << 32) ^ (uintptr_t)s;
		for (size_t i = 0; i < sizeof(id); i += sizeof(uint64_t)) {
			uint64_t draw = rng_splitmix(&seed);
			__builtin_memcpy(id + i, &draw, sizeof(draw));
		}
	}
	id[6] = (id[6] & 0x0f) | 0x40;	/* version 4 */
	id[8] = (id[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	static const char hex[] = "0123456789abcdef";
	char *u = s->uuid;
	for (int i = 0; i < UUID_BYTES; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*u++ = '-';
		*u++ = hex[id[i] >> 4];
		*u++ = hex[id[i] & 15];
	}
	*u = '\0';
	uint64_t rng_bits;
	__builtin_memcpy(&rng_bits, id + UUID_BYTES, sizeof(rng_bits));
	s->rng = rng_state(rng_bits);
}

/* The series that holds this thread's guard, if one does. */
static __thread uintptr_t running_series __attribute__((tls_model("initial-exec")));

/* A program may siglongjmp out of a signal handler that interrupted a
 * series (wget times its connect that way): the series' frame is gone
 * but the guard stays held, and the thread would pass every call through
 * for good.  A jump through libc's longjmp family releases it
 * (jumps.c).  For other ways out (setcontext, a jump inlined or made
 * inside libc): a series nested in a handler always lives deeper on the
 * stack (a lower address) than the one it interrupted; a new series at
 * or above the running one's address means that one was jumped out of. */
/* 1 MiB: a series farther above the running one is on another stack
 * (a handler's sigaltstack may lie anywhere), not in a frame that was
 * jumped out of. */
#define SAME_STACK_REACH ((uintptr_t)1 << 20)

static bool guard_held_for(const struct series *s)
{
	uintptr_t here = (uintptr_t)s;
	if (!guard_held())
		return false;
	if (running_series && here >= running_series &&
	    here - running_series < SAME_STACK_REACH) {
		guard_release_all();
		running_series = 0;
		return false;
	}
	return true;
}

void series_left_by_jump(void)
{
	if (running_series) {
		running_series = 0;
		guard_release_all();
	}
}

/* The policy under which this failure starts a series, else NULL. */
static const struct policy *wanted(const struct config *cfg,
				   enum family family, int code, int fd,
				   int msg_flags, const struct sockaddr *addr,
				   socklen_t addr_len, const char *node)
{
	if (!cfg || cfg->pass_through)
		return NULL;
	const struct policy *p = config_policy_for(cfg, family, addr, addr_len,
						  node);
	if (!p->enabled || p->tries == 1 || !errset_has(&p->errors, code))
		return NULL;
	return may_block(fd, msg_flags) ? p : NULL;
}

bool series_wanted(enum family family, int code, int fd, int msg_flags)
{
	int saved = errno;
	bool yes = wanted(runtime_config(), family, code, fd, msg_flags,
			  NULL, 0, NULL) != NULL;
	errno = saved;
	return yes;
}

/* The host table's budget words when the policy counts per host and
 * the table is there; NULL: this process's own (budget.h). */
static uint64_t *host_budget(const struct policy *p, enum family family)
{
	return p->budget_scope == BUDGET_SCOPE_HOST ?
	       hosttable_budget_window(family) : NULL;
}

bool series_begin(struct series *s, enum family family, const char *call,
		  int code, int fd, int msg_flags, const struct sockaddr *addr,
		  socklen_t addr_len, const char *node)
{
	int saved = errno;
	const struct config *cfg;

	if (guard_held_for(s))
		goto pass;
	cfg = runtime_config();
	const struct policy *p = wanted(cfg, family, code, fd, msg_flags,
					addr, addr_len, node);
	if (!p)
		goto pass;

	guard_enter();
	running_series = (uintptr_t)s;
	*s = (struct series){
		.call = call,
		.policy = p,
		.log = &cfg->log,
		.family = family,
		.first_code = code,
		.last_code = code,
		.errno_after = saved,
		.calls = 1,
		.delay = p->delay,
		.sleep = p->delay,
		.signal_mark = signals_mark_series(),
	};
	clock_gettime(CLOCK_MONOTONIC, &s->started);
	new_identity(s);
	hosttable_open(cfg);
	if (p->budget > 0)
		budget_deposit(family, host_budget(p, family));
	return true;
pass:
	errno = saved;
	return false;
}

/* Sleeps `seconds`, riding out handlers that asked for SA_RESTART and
 * stopping at one that did not, in this thread or any other, or at a
 * sigwait (signals.c).  A sleep the system refuses ends the series: a
 * retry without it would spin. */
static bool series_sleep(struct series *s, double seconds)
{
	switch (signals_sleep(seconds, s->signal_mark)) {
	case SLEEP_DONE:
		return true;
	case SLEEP_CUT_SHORT:
		s->interrupted = true;
		return false;
	case SLEEP_REFUSED:
		s->stop = STOP_NO_SLEEP;
		return false;
	}
	return false;
}

/* "Stop before": a sleep that would end past the deadline is not begun. */
static bool past_deadline(const struct series *s, double sleep)
{
	double deadline = s->policy->deadline;
	return deadline != SECONDS_UNSET &&
	       monotonic_since(&s->started) + sleep > deadline;
}

/* A budget refusal of the very first retry is the storm case: one line,
 * at most once a second per family, instead of a series log. */
static void refused_at_once(struct series *s)
{
	uint64_t also_refused;
	s->quiet = true;
	if (budget_report_due(s->family, &also_refused))
		log_budget_refused(s, also_refused);
}

/* series_retry, which keeps errno. */
static bool retry_after_sleep(struct series *s)
{
	const struct policy *p = s->policy;
	bool go = errset_has(&p->errors, s->last_code) &&
		  (p->tries < 0 || s->calls < (uint64_t)p->tries);

	if (go && signals_since(s->signal_mark)) {
		s->interrupted = true;
		go = false;
	}
	if (go) {
		s->sleep = spread_sleep(p->spread, s->delay, s->sleep,
					p->max_delay, &s->rng);
		if (past_deadline(s, s->sleep))
			s->stop = STOP_DEADLINE, go = false;
	}
	if (go && p->budget > 0 &&
	    !budget_withdraw(s->family, p, host_budget(p, s->family)))
		s->stop = STOP_BUDGET, go = false;
	if (s->calls == 1)
		hosttable_started(s, log_fault_injected(s->call));
	if (s->calls == 1 && s->stop == STOP_BUDGET) {
		refused_at_once(s);
		return false;
	}
	if (s->calls == 1)
		log_first_failure(s);
	if (!go)
		return false;
	log_waiting(s);
	if (s->sleep > 0 && !series_sleep(s, s->sleep))
		return false;
	s->delay = policy_next_delay(p, s->delay, &s->rng);
	return true;
}

/* errno stays as the last real call left it: the next call may succeed
 * without touching it, and then it is what the program sees. */
bool series_retry(struct series *s)
{
	int saved = errno;
	bool go = retry_after_sleep(s);
	errno = saved;
	return go;
}

void series_attempted(struct series *s, int code)
{
	int saved = errno;
	int previous = s->last_code;
	s->errno_after = saved;
	s->calls++;
	s->last_code = code;
	hosttable_attempted(s, code != 0 && log_fault_injected(s->call));
	if (code != 0 && (code != previous || log_fault_injected(s->call) ||
			  (s->family == FAMILY_CONNECT && ready_note_changed())))
		log_new_failure(s);
}

void series_end(struct series *s)
{
	if (!s->quiet)
		log_outcome(s);
	hosttable_ended(s);
	running_series = 0;
	guard_leave();
	errno = s->errno_after;
}
