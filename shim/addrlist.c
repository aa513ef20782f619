/* addrlist.c: which getaddrinfo list a failed connect consults for
 * address-list fallthrough (addrmatch.c does the matching), the
 * freeaddrinfo wrapper, and why a list is never read once freed.
 *
 * A successful getaddrinfo only notes the result pointer and the current
 * addrlist_generation in initial-exec TLS (addrlist_note: no call, no
 * shared write; getaddrinfo adds 17 instructions, freeaddrinfo 13, where
 * copying the addresses cost 55 on either).  Lists are read only on
 * connect's failure path, and freeaddrinfo is wrapped to keep them
 * readable:
 *
 * - Held: the thread frees its own most recent list (Python's
 *   create_connection copies the list and frees it before connecting; a
 *   C client frees after its walk).  We keep that list instead, as
 *   `held`, and free the one held before, so a thread holds one list at
 *   most; a thread-exit destructor frees it.  The program has given a
 *   held list up, so only this thread ever frees it: we read it freely.
 * - Live: not freed yet (a C client connecting while it walks the list).
 *   Another thread may free it at any moment (curl resolves in one
 *   thread and frees in another), so a freeaddrinfo of any list that is
 *   not the caller's most recent one bumps addrlist_generation, waits
 *   until `readers` is 0, and only then frees.  A reader raises
 *   `readers`, then reads the generation, and walks the list only if it
 *   is still the one noted with the list.
 * - Stale (the generation moved on): not consulted; the connect is
 *   retried as if there were no list.
 *
 * Why a live list is never read once freed: the generation was noted
 * before getaddrinfo handed the list to the program, so before any
 * thread could free it; whoever frees it bumps the generation past the
 * noted value first.  Reader (readers++, load generation) and freer
 * (generation++, load readers) are sequentially consistent: in their one
 * total order either the bump comes before the reader's load, and the
 * reader sees a new generation and reads nothing; or the reader's
 * increment comes before the freer's load, and the freer waits for the
 * reader's decrement (release, acquired by the freer's load), made after
 * its last read (a wait of one walk, at most ADDRMATCH_WALK_MAX entries).
 * Signals are blocked while a list is read, so no handler can free it
 * underneath or siglongjmp out leaving `readers` raised; the child of a
 * fork starts with `readers` at 0.
 *
 * A thread freeing one of its older lists bumps the generation too, but
 * its own record stays sound when nobody else bumped since it was noted.
 * Only a freeaddrinfo through our exported symbol is seen: a list freed
 * behind our back (RTLD_DEEPBIND) would be a dangling record. */
#include "addrlist.h"

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "addrmatch.h"
#include "real.h"

#define EXPORT __attribute__((visibility("default")))
#define COLD __attribute__((noinline, cold))

__thread struct addrlist_recent addrlist_recent
	__attribute__((tls_model("initial-exec")));
uint64_t addrlist_generation;
static unsigned readers;	/* threads walking a live list right now */

/* Set up on first need, not at start-up: the key whose destructor frees
 * a thread's held list, and the fork handler. */
enum { NOT_SET_UP, SETTING_UP, SET_UP };
static int set_up_state;
static pthread_key_t held_key;
static bool held_key_made;

static void yield(void)
{
	syscall(SYS_sched_yield);
}

static void drop_held(void *unused)
{
	(void)unused;
	struct addrinfo *held = addrlist_recent.held;
	addrlist_recent.held = NULL;
	addrlist_recent.list = NULL;
	if (held)
		hooked.freeaddrinfo(held);
}

static void forget_readers(void)
{
	readers = 0;	/* only the forking thread lives on */
}

/* pthread_once by hand (each libc function the library imports costs
 * every program a symbol lookup at start-up), that never waits: false
 * while another thread sets up, or in the child of a fork made then. */
static bool set_up(void)
{
	int state = NOT_SET_UP;
	if (__atomic_load_n(&set_up_state, __ATOMIC_ACQUIRE) == SET_UP)
		return true;
	if (!__atomic_compare_exchange_n(&set_up_state, &state, SETTING_UP,
					 false, __ATOMIC_ACQUIRE,
					 __ATOMIC_ACQUIRE))
		return false;
	held_key_made = pthread_key_create(&held_key, drop_held) == 0;
	pthread_atfork(NULL, NULL, forget_readers);
	__atomic_store_n(&set_up_state, SET_UP, __ATOMIC_RELEASE);
	return true;
}

/* The first list this thread holds: thread exit must free it. */
static void hold_first(void)
{
	if (!set_up() || !held_key_made ||
	    pthread_setspecific(held_key, &addrlist_recent) != 0)
		drop_held(NULL);
}

/* A list that is not the caller's most recent: may be another thread's
 * live one.  Bump the generation first, then wait out the readers. */
static void release_other(struct addrinfo *list)
{
	uint64_t before = __atomic_fetch_add(&addrlist_generation, 1,
					     __ATOMIC_SEQ_CST);
	if (addrlist_recent.generation == before)
		addrlist_recent.generation = before + 1;
	while (__atomic_load_n(&readers, __ATOMIC_SEQ_CST) != 0)
		yield();
	hooked.freeaddrinfo(list);
}

/* Everything but the common case below. */
static COLD void free_unusual(struct addrinfo *list)
{
	struct addrlist_recent *r = &addrlist_recent;
	if (!list)
		return;
	if (list != r->list) {
		if (list == r->held)	/* an older list the program freed twice */
			r->held = NULL;
		release_other(list);
	} else if (!r->held) {
		r->held = list;
		hold_first();
	} else {
		/* Freed twice by the program: free it once and forget it. */
		r->held = NULL;
		r->list = NULL;
		hooked.freeaddrinfo(list);
	}
}

/* The common case: the thread frees its most recent list.  Hold it and
 * free the one held before: the same one free per call as without us. */
EXPORT void freeaddrinfo(struct addrinfo *list)
{
	struct addrlist_recent *r = &addrlist_recent;
	struct addrinfo *old = r->held;
	if (__builtin_expect(list != r->list || !old || old == list, 0))
		return free_unusual(list);
	r->held = list;
	hooked.freeaddrinfo(old);
}

bool addrlist_has_more_after(const struct sockaddr *addr, socklen_t len)
{
	struct addrlist_recent *r = &addrlist_recent;
	if (!r->list || !addr ||
	    (addr->sa_family != AF_INET && addr->sa_family != AF_INET6))
		return false;
	if (!set_up())	/* the fork handler, before `readers` is ever raised */
		return false;
	sigset_t all, before;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &before);
	bool more = false;
	const struct addrinfo *list = r->list;
	if (list == r->held) {
		more = addrmatch_before_last(list, addr, len);
	} else {
		__atomic_fetch_add(&readers, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&addrlist_generation, __ATOMIC_SEQ_CST) ==
		    r->generation)
			more = addrmatch_before_last(list, addr, len);
		__atomic_fetch_sub(&readers, 1, __ATOMIC_SEQ_CST);
	}
	pthread_sigmask(SIG_SETMASK, &before, NULL);
	return more;
}
