/* signals.h: knowing that the program took a signal that should end a
 * retry series, in any thread, so a retrying call can end the way an
 * interrupted blocking call would.
 *
 * A process-wide generation counts the signals that end series: a
 * handler without SA_RESTART ran (seen by its trampoline, signals.c),
 * or sigwait, sigwaitinfo or sigtimedwait returned one.  A series notes
 * the generation when it begins and ends when it has moved. */
#ifndef KAIORETRY_SIGNALS_H
#define KAIORETRY_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

extern unsigned signals_generation;

static inline unsigned signals_mark(void)
{
	return __atomic_load_n(&signals_generation, __ATOMIC_ACQUIRE);
}

static inline bool signals_since(unsigned mark)
{
	return signals_mark() != mark;
}

/* The mark a new series starts from: the generation, or one less when
 * another thread moved it in the last second, so that a signal handled
 * while the failed call was under way ends the series at its first
 * retry (signals.c says why). */
unsigned signals_mark_series(void);

/* After a wait the kernel never restarts (poll, a timed sleep) failed
 * with EINTR on this thread: whether to end as interrupted.  Yes when
 * the generation moved since `mark`, or when a handler installed behind
 * our back (a raw rt_sigaction) without SA_RESTART could be the one that
 * ran: the kernel does not say which handler it was. */
bool signals_cut_short(unsigned mark);

/* Sleeps `seconds`, riding out restarting handlers; ends early, cut
 * short, as soon as the generation moves past `mark` (woken at once,
 * from any thread) or signals_cut_short; refused where neither the
 * clock nor a wait is allowed (seccomp), which must never turn into a
 * spin.  Keeps errno. */
enum sleep_result { SLEEP_DONE, SLEEP_CUT_SHORT, SLEEP_REFUSED };
enum sleep_result signals_sleep(double seconds, unsigned mark);

/* The program's own sigaction: installs `act` (through a trampoline
 * when it is a handler without SA_RESTART) and reports in `old` the
 * program's handler, never a trampoline.  Every C way of setting a
 * handler is built on it (signal_setters.c). */
int signals_sigaction(int sig, const struct sigaction *act,
		      struct sigaction *old);

#endif
