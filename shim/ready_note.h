/* ready_note.h: what this thread's last connect attempt was held back
 * for: the program's socket, and what the server said when the
 * readiness check (ready.c) found it not ready.
 *
 * A held-back attempt reaches the retry series as ECONNREFUSED, which
 * is how a series counts it; the log reads the note to say what it
 * really was ("not ready: postgres 57P03 the database system is
 * starting up"), and connect.c reads it to make the program's own
 * connect once the series gives up.  Thread-local and small (the
 * shim's TLS is initial-exec), set and cleared by ready.c only. */
#ifndef KAIORETRY_READY_NOTE_H
#define KAIORETRY_READY_NOTE_H

#include <stdbool.h>

#include "../common/text.h"

/* The attempt on `fd` was held back; `said` is "postgres 57P03 ...". */
void ready_note_held(int fd, const struct text *said);
void ready_note_clear(void);

/* Whether the last attempt was held back, and on which socket. */
bool ready_note_get(int *fd);

/* Whether the last attempt was held back for another reason than the
 * one before, or was held back and no longer is (a new reason is a new
 * line in the log, though the code stays ECONNREFUSED). */
bool ready_note_changed(void);

/* Appends "not ready: postgres 57P03 ..." */
void ready_note_text(struct text *t);

#endif
