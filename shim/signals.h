/* signals.h: knowing that a signal handler without SA_RESTART ran on
 * this thread, so a retrying call can end the way an interrupted
 * blocking call would. */
#ifndef KAIORETRY_SIGNALS_H
#define KAIORETRY_SIGNALS_H

#include <stdbool.h>

extern __thread unsigned signals_seen __attribute__((tls_model("initial-exec")));

static inline unsigned signals_mark(void)
{
	return __atomic_load_n(&signals_seen, __ATOMIC_RELAXED);
}

static inline bool signals_since(unsigned mark)
{
	return signals_mark() != mark;
}

#endif
