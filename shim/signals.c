/* signals.c: how a retry series learns that the program took a signal
 * that should end it, in whichever thread the signal landed.
 *
 * The kernel tells a blocking call about a handler without SA_RESTART
 * by failing it with EINTR, but only in the thread that ran it, and a
 * retry loop that spins on quick failures (delay=0) never sees one.  So
 * when the program installs such a handler, the kernel gets a
 * trampoline instead, which bumps a process-wide generation, wakes
 * every series sleeping on it (a futex wait), then calls the program's
 * handler.  sigwait, sigwaitinfo and sigtimedwait bump it too when they
 * return a signal.  Every series ends once the generation has moved.
 *
 * The kernel's table is the truth: the wrapper asks it whether a
 * trampoline is installed, and the only memory of ours is the program
 * handler each trampoline calls, written before the kernel gets the
 * trampoline and never set to a trampoline.  Each kind of handler has
 * two trampolines, each with its own slot, and a program handler goes
 * into the slot the kernel's table does not name, unless this process
 * (pid) wrote that one itself.  So a vfork or CLONE_VM child setting
 * handlers in the memory it shares with its parent writes the other
 * slot, and the parent's kernel still names the parent's handler; a
 * fork child's copy names what its parent's named.  SA_RESETHAND, or a
 * handler installed behind our back, cannot make us report or call the
 * wrong one either.  A trampoline passes the kernel's three arguments
 * on, SA_SIGINFO or not: on x86-64 the kernel gives a plain handler the
 * siginfo and ucontext pointers too, and programs read them.
 * Handlers with SA_RESTART, SIG_DFL and SIG_IGN are installed as given.
 * Installing any handler first runs hooks_before_handlers. */
#include "signals.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/attributes.h"
#include "hooks.h"
#include "monotonic.h"
#include "real.h"

unsigned signals_generation;

/* When the generation last moved, on the kernel's CLOCK_MONOTONIC in
 * ns (0: never), and the generation this thread itself moved last.
 *
 * A series begins after its call failed.  A signal handled in another
 * thread while that call was under way (a connect waiting a round trip
 * for its refusal, the program's stop flag already checked) would have
 * stopped the program raw, and must end that series too.  The call's
 * start is not known (the success path records nothing), so a signal
 * handled elsewhere up to a second before a series begins ends it at
 * its first retry.  One handled on this thread during the call has
 * interrupted it (EINTR) already; one handled here before the call was
 * seen by the program (a wget-style longjmp, then a fresh connect). */
static int64_t last_taken_ns;
static __thread unsigned taken_here __attribute__((tls_model("initial-exec")));
#define JUST_BEFORE_NS 1000000000	/* 1 s */

/* 0 where the clock cannot be read: as if no signal was taken. */
static int64_t kernel_now_ns(void)
{
	struct timespec t;
	if (real_monotonic(&t, false) != 0)
		return 0;
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

typedef void (*info_handler)(int, siginfo_t *, void *);

/* The program's handler behind each trampoline: one table per kind, so
 * that a trampoline of one kind never calls a handler of the other,
 * and two slots per kind (see the top), each with the pid that wrote
 * it last. */
enum kind { PLAIN, INFO, KINDS };
#define SLOTS 2
static info_handler program_handler[KINDS][SLOTS][NSIG];
static pid_t slot_writer[KINDS][SLOTS][NSIG];

/* Async-signal-safe; keeps errno.  Done before the program's handler
 * runs, so a handler that siglongjmps out leaves nothing undone. */
static void signal_taken(void)
{
	int saved = errno;
	__atomic_store_n(&last_taken_ns, kernel_now_ns(), __ATOMIC_RELAXED);
	taken_here = __atomic_add_fetch(&signals_generation, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &signals_generation,
		FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL, NULL, 0);
	errno = saved;
}

/* A plain handler is called with all three arguments too: the ABI
 * allows it, and they are what the kernel passed. */
static void run_program_handler(enum kind kind, int slot, int sig,
				siginfo_t *info, void *context)
{
	signal_taken();
	info_handler h = __atomic_load_n(&program_handler[kind][slot][sig],
					 __ATOMIC_ACQUIRE);
	if (h)
		h(sig, info, context);
}

#define TRAMPOLINE(kind, slot)                                               \
	static void trampoline_##kind##_##slot(int sig, siginfo_t *info,     \
					       void *context)                \
	{                                                                    \
		run_program_handler(kind, slot, sig, info, context);         \
	}
TRAMPOLINE(PLAIN, 0)
TRAMPOLINE(PLAIN, 1)
TRAMPOLINE(INFO, 0)
TRAMPOLINE(INFO, 1)

static const info_handler trampolines[KINDS][SLOTS] = {
	{ trampoline_PLAIN_0, trampoline_PLAIN_1 },
	{ trampoline_INFO_0, trampoline_INFO_1 },
};

/* Which trampoline h is, if it is one. */
static bool trampoline_slot(sighandler_t h, enum kind *kind, int *slot)
{
	for (int k = 0; k < KINDS; k++)
		for (int i = 0; i < SLOTS; i++)
			if ((void *)h == (void *)trampolines[k][i]) {
				*kind = (enum kind)k;
				*slot = i;
				return true;
			}
	return false;
}

static bool is_trampoline(sighandler_t h)
{
	enum kind kind;
	int slot;
	return trampoline_slot(h, &kind, &slot);
}

static bool is_function(sighandler_t h)
{
	return h != SIG_DFL && h != SIG_IGN && h != SIG_ERR && h != SIG_HOLD;
}

/* The kernel's struct sigaction (x86-64 and the asm-generic ports):
 * read with the raw call, which needs no lookup in a handler. */
struct kernel_action {
	sighandler_t handler;
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask[(NSIG - 1) / (8 * sizeof(unsigned long))];
};

/* Signals a thread raises by faulting: one asleep in a system call
 * takes none, so their handlers (a sanitizer's) are not suspects. */
static bool is_fault(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE ||
	       sig == SIGILL || sig == SIGTRAP || sig == SIGSYS;
}

static bool unseen_handler_without_restart(void)
{
	sigset_t blocked;
	pthread_sigmask(SIG_BLOCK, NULL, &blocked);
	for (int sig = 1; sig < NSIG; sig++) {
		struct kernel_action k;
		if (is_fault(sig) || sigismember(&blocked, sig) == 1 ||
		    syscall(SYS_rt_sigaction, sig, NULL, &k, sizeof(k.mask)))
			continue;
		if (is_function(k.handler) && !is_trampoline(k.handler) &&
		    !(k.flags & SA_RESTART))
			return true;
	}
	return false;
}

unsigned signals_mark_series(void)
{
	unsigned mark = signals_mark();
	if (mark == taken_here)
		return mark;
	int64_t at = __atomic_load_n(&last_taken_ns, __ATOMIC_RELAXED);
	if (at != 0 && kernel_now_ns() - at < JUST_BEFORE_NS)
		mark--;
	return mark;
}

bool signals_cut_short(unsigned mark)
{
	int saved = errno;
	bool yes = signals_since(mark) || unseen_handler_without_restart();
	errno = saved;
	return yes;
}

/* Where the futex wait is refused (a seccomp filter): a plain sleep,
 * which only this thread's own handlers can cut short. */
static enum sleep_result nanosleep_until(const struct timespec *until,
					 unsigned mark)
{
	for (;;) {
		long rc = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC,
				  TIMER_ABSTIME, until, NULL);
		int err = errno;
		if (signals_since(mark))
			return SLEEP_CUT_SHORT;
		if (rc == 0)
			return SLEEP_DONE;
		if (err != EINTR)
			return SLEEP_REFUSED;
		if (signals_cut_short(mark))
			return SLEEP_CUT_SHORT;
	}
}

/* The kernel's own clock, as the futex reads it (real_monotonic), plus
 * `seconds`; false when it cannot be read. */
static bool kernel_clock_in(double seconds, struct timespec *t)
{
	if (real_monotonic(t, true) != 0)
		return false;
	*t = timespec_after(*t, seconds);
	return true;
}

/* A timed futex wait fails with EINTR after any handler, SA_RESTART or
 * not (the kernel restarts it only when no handler ran), hence
 * signals_cut_short after EINTR.  The wait compares the generation
 * with `mark` atomically, so a bump just before it is never missed. */
static enum sleep_result sleep_until(const struct timespec *until,
				     unsigned mark)
{
	for (;;) {
		long rc = syscall(SYS_futex, &signals_generation,
				  FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, mark,
				  until, NULL, FUTEX_BITSET_MATCH_ANY);
		int err = errno;
		if (signals_since(mark))
			return SLEEP_CUT_SHORT;
		if (rc == 0)
			continue;	/* woken, yet nothing happened */
		if (err == ETIMEDOUT)
			return SLEEP_DONE;
		if (err != EINTR)
			return nanosleep_until(until, mark);
		if (signals_cut_short(mark))
			return SLEEP_CUT_SHORT;
	}
}

enum sleep_result signals_sleep(double seconds, unsigned mark)
{
	int saved = errno;
	struct timespec until;
	enum sleep_result r = kernel_clock_in(seconds, &until) ?
		sleep_until(&until, mark) : SLEEP_REFUSED;
	errno = saved;
	return r;
}

/* `old` as the kernel reported it, with a trampoline replaced by the
 * program handler it calls: the one in its slot, or `replaced` when
 * this very call took that out of `changed_slot`. */
static void show_program_handler(int sig, struct sigaction *old,
				 info_handler *changed_slot,
				 info_handler replaced)
{
	enum kind kind;
	int i;
	if (!trampoline_slot(old->sa_handler, &kind, &i))
		return;
	info_handler *slot = &program_handler[kind][i][sig];
	info_handler program = slot == changed_slot ?
		replaced : __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	__builtin_memcpy(&old->sa_handler, &program, sizeof(program));
}

static bool wants_trampoline(const struct sigaction *act)
{
	return act && is_function(act->sa_handler) &&
	       !is_trampoline(act->sa_handler) &&
	       !(act->sa_flags & SA_RESTART);
}

/* The slot of `kind` this process writes its handler for sig into: the
 * one its kernel's table names if this process wrote it, else never
 * that one (a vfork parent's kernel may name it); else one it wrote,
 * else an unused one. */
static int slot_to_write(int sig, enum kind kind, pid_t me)
{
	struct kernel_action now;
	enum kind named_kind;
	int named;
	if (syscall(SYS_rt_sigaction, sig, NULL, &now, sizeof(now.mask)) == 0 &&
	    trampoline_slot(now.handler, &named_kind, &named) &&
	    named_kind == kind)
		return slot_writer[kind][named][sig] == me ? named : 1 - named;
	for (int i = 0; i < SLOTS; i++)
		if (slot_writer[kind][i][sig] == me)
			return i;
	for (int i = 0; i < SLOTS; i++)
		if (slot_writer[kind][i][sig] == 0)
			return i;
	return 0;
}

int signals_sigaction(int sig, const struct sigaction *act,
		      struct sigaction *old)
{
	if (act && is_function(act->sa_handler))
		hooks_before_handlers();
	if (sig <= 0 || sig >= NSIG || !wants_trampoline(act)) {
		int rc = hooked.sigaction(sig, act, old);
		if (rc == 0 && old)
			show_program_handler(sig, old, NULL, NULL);
		return rc;
	}

	/* No handler of this thread may run between the slot and the
	 * kernel: its own sigaction would interleave with ours.  (Two
	 * threads setting the same signal at once may leave one's flags
	 * with the other's handler: a race the program made itself.) */
	sigset_t all, before;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &before);

	struct sigaction mine = *act;
	enum kind kind = act->sa_flags & SA_SIGINFO ? INFO : PLAIN;
	pid_t me = (pid_t)syscall(SYS_getpid);
	int i = slot_to_write(sig, kind, me);
	info_handler *slot = &program_handler[kind][i][sig];
	mine.sa_sigaction = trampolines[kind][i];
	info_handler program;
	__builtin_memcpy(&program, &act->sa_handler, sizeof(program));
	pid_t writer = slot_writer[kind][i][sig];
	slot_writer[kind][i][sig] = me;
	info_handler replaced = __atomic_exchange_n(slot, program,
						    __ATOMIC_ACQ_REL);
	int rc = hooked.sigaction(sig, &mine, old);
	int saved = errno;
	if (rc != 0) {
		__atomic_store_n(slot, replaced, __ATOMIC_RELEASE);
		slot_writer[kind][i][sig] = writer;
	} else if (old) {
		show_program_handler(sig, old, slot, replaced);
	}
	pthread_sigmask(SIG_SETMASK, &before, NULL);
	errno = saved;
	return rc;
}

EXPORT int sigaction(int sig, const struct sigaction *act,
		     struct sigaction *old)
{
	return signals_sigaction(sig, act, old);
}

/* glibc exports it under this name too, for old binaries. */
int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);
EXPORT int __sigaction(int sig, const struct sigaction *act,
		       struct sigaction *old)
{
	return signals_sigaction(sig, act, old);
}

EXPORT int sigwait(const sigset_t *set, int *sig)
{
	int rc = hooked.sigwait(set, sig);
	if (rc == 0)
		signal_taken();
	return rc;
}

EXPORT int sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
	int rc = hooked.sigwaitinfo(set, info);
	if (rc > 0)
		signal_taken();
	return rc;
}

EXPORT int sigtimedwait(const sigset_t *set, siginfo_t *info,
			const struct timespec *timeout)
{
	int rc = hooked.sigtimedwait(set, info, timeout);
	if (rc > 0)
		signal_taken();
	return rc;
}
