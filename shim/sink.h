/* sink.h: delivering one finished record to where KAIORETRY_LOG says. */
#ifndef KAIORETRY_SINK_H
#define KAIORETRY_SINK_H

#include <stdbool.h>

#include <stdint.h>

#include "../common/text.h"
#include "../config/config.h"

/* The facts of a record, handed to the sink beside its text, so the
 * journal (fields) and RFC 5424 (structured data) carry them without
 * parsing the text again.  Unknown facts are NULL or 0. */
struct record_facts {
	const char *series;		/* the series' UUID */
	const char *call;		/* "connect" */
	const struct text *target;	/* what the call was aimed at */
	uint64_t try_number;		/* the try the record is about */
	int code;			/* errno, EAI_* (< 0); 0: none */
	const char *outcome;		/* on a series' final record */
	const char *injected;		/* the rule that injected the fault */
};

/* A record to fill, in memory of its own with signals blocked (see
 * sink.c), or NULL when none could be had (the record is dropped).
 * Every record taken goes to sink_deliver. */
struct text *sink_record(void);

/* Whether `log` carries a record's facts (the journal, RFC 5424). */
bool sink_takes_facts(const struct log_settings *log);

/* Room in a record's memory to name its target for the facts: naming
 * it there, from log.c, keeps the deepest stack where it was. */
struct text *sink_record_target(struct text *record);

/* Sends the record with the given syslog severity (and its facts, or
 * NULL) and gives its memory and the signal mask back.  Returns false when the record was dropped
 * (daemon gone, buffer full).  Never blocks, never writes to the
 * program's stdout, never keeps an fd open. */
bool sink_deliver(const struct log_settings *log, int severity,
		  struct text *record, const struct record_facts *facts);

/* sink_record, a copy of `message`, sink_deliver. */
bool sink_send(const struct log_settings *log, int severity,
	       const struct text *message, const struct record_facts *facts);

#endif
