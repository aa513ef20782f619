/* ready_protocols.h: what a readiness check sends and how it reads the
 * answer, per protocol, as the protocol's own readiness tools do:
 *
 *   postgres  a start-up packet (protocol 3.0, user "kaioretry"); the
 *             first message back is judged as pg_isready judges it: an
 *             ErrorResponse with SQLSTATE 57P03 (cannot connect now:
 *             starting up, shutting down, recovery, a standby without
 *             hot_standby) is not ready; an authentication request, any
 *             other error (unknown role, bad password) or any other
 *             answer means a server that serves
 *   redis     PING; -LOADING, -BUSY and -MASTERDOWN are not ready;
 *             +PONG, an auth error (-NOAUTH, -WRONGPASS) or any other
 *             answer is ready
 *   http      GET PATH (HTTP/1.1, Connection: close); a status of 500
 *             or more is not ready, any other status is ready
 *
 * A connection closed before any answer is not ready (a proxy in front
 * of a server that is not up yet does that).  Pure code: no I/O, so the
 * unit tests call it directly (tests/unit/check_ready.c). */
#ifndef KAIORETRY_READY_PROTOCOLS_H
#define KAIORETRY_READY_PROTOCOLS_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/text.h"
#include "../config/ready_key.h"

enum ready_verdict { VERDICT_INCOMPLETE, VERDICT_READY, VERDICT_NOT_READY };

/* Room for any request: the HTTP one with the longest path and host. */
#define READY_REQUEST_MAX (READY_PATH_MAX + 256)

/* Writes the request for `check` into buf (READY_REQUEST_MAX bytes);
 * `host` is what HTTP's Host header names ("127.0.0.1:8080").  Returns
 * its length. */
size_t ready_request(const struct ready_check *check, const char *host,
		     char *buf);

/* Judges the first `len` bytes of the answer; `complete` when no more
 * will come (closed, or the caller's buffer is full).  VERDICT_INCOMPLETE
 * asks for more bytes.  Appends to `said` what the server said, its
 * words escaped, for the log ("57P03 the database system is starting
 * up", "LOADING Redis is loading the dataset in memory", "503 Service
 * Unavailable"). */
enum ready_verdict ready_judge(enum ready_protocol protocol,
			       const char *answer, size_t len, bool complete,
			       struct text *said);

#endif
