/* ready.h: the readiness check (key `ready`), before a program's
 * connect goes ahead.
 *
 * A server that listens is not always one that serves: PostgreSQL
 * answers 57P03 while it starts or recovers, Redis -LOADING while it
 * loads its dataset, an HTTP service 503 while it warms up.  With a
 * protocol `ready` value on the destination's policy, the first connect
 * of the process to that address is preceded by a check on a socket of
 * the shim's own (ready_protocols.h says what it asks); not ready holds
 * the program's connect back as a failed try (ECONNREFUSED, noted for
 * the log: ready_note.h), and the policy's sleeps, deadline, budget and
 * tries apply.  Once an address is seen ready it is marked so for the
 * life of the process, and later connects to it pay nothing.
 *
 * It never runs for a non-blocking socket in `pass` mode (an event
 * loop must not freeze), only for stream sockets, and only when the
 * policy retries ECONNREFUSED.  Each check is bounded (attempt_timeout,
 * else READY_CHECK_SECONDS, within the deadline). */
#ifndef KAIORETRY_READY_H
#define KAIORETRY_READY_H

#include <stdbool.h>
#include <sys/socket.h>

#include "../config/config.h"

/* How long one check may take when attempt_timeout does not say. */
#define READY_CHECK_SECONDS 3.0

/* Puts the check in front of attempt.connect when some connect policy
 * sets a protocol `ready`; without one, nothing changes.  Called after
 * every other attempt.connect hook, so it is the outermost. */
void ready_install(const struct config *cfg);

/* For a retry of a connect series (the guard held): checks again when
 * the destination wants a check and has not been seen ready.  True: not
 * ready, the try is held back (-1, errno ECONNREFUSED, noted); false:
 * the real connect goes ahead.  `limit` bounds the check (the series'
 * attempt limit, or SECONDS_UNSET). */
bool ready_held_back(int fd, const struct sockaddr *addr, socklen_t len,
		     double limit);

/* The program jumps (longjmp) from this thread: a check under way is
 * left for good, and its socket closed. */
void ready_left_by_jump(void);

/* Once a connect series ended with *result: when its last try was held
 * back, the program's own connect goes ahead after all, so the program
 * hears the server itself ("the database system is starting up"), and
 * *result is what that connect returned: true.  Otherwise false. */
bool ready_gave_up(int *result, const struct sockaddr *addr, socklen_t len);

#endif
