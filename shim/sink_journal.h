/* sink_journal.h: a record as journald's native datagram (sink_journal.c). */
#ifndef KAIORETRY_SINK_JOURNAL_H
#define KAIORETRY_SINK_JOURNAL_H

#include <stdbool.h>

#include "sink.h"

/* Room for a whole record: its text, a named target and the other
 * fields, each at most TEXT_MAX. */
#define JOURNAL_WIRE_MAX (4 * TEXT_MAX)

struct journal_wire {
	size_t len;
	bool full;		/* a field did not fit: the record is dropped */
	char buf[JOURNAL_WIRE_MAX];
};

/* Builds the datagram: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER=kaioretry,
 * SYSLOG_FACILITY, and from `facts` (may be NULL) ERRNO and the
 * KAIORETRY_* fields; `target` is the facts' target, named.  False when
 * it does not fit. */
bool journal_wire_build(struct journal_wire *w, const struct log_settings *log,
			int severity, const struct text *message,
			const struct record_facts *facts,
			const struct text *target);

/* One field: KEY=value\n, or, when the value holds a newline, the
 * binary form KEY\n, its length as 64-bit little endian, value, \n. */
void journal_field(struct journal_wire *w, const char *key,
		   const char *value, size_t len);

#endif
