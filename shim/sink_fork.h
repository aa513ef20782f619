/* sink_fork.h: keeping the fds a log record opens out of fork children
 * (sink_fork.c). */
#ifndef KAIORETRY_SINK_FORK_H
#define KAIORETRY_SINK_FORK_H

#include <stdbool.h>

/* Registers the fork handlers; once, before the process's second
 * thread (threads.c): a single thread never forks mid-record. */
void sink_fork_register(void);

/* Brackets the part of a record that holds fds of ours.  Begin waits
 * out a fork in another thread (briefly) and returns false when the
 * record must be dropped instead; end follows every true begin. */
bool sink_fds_begin(void);
void sink_fds_end(void);

#endif
