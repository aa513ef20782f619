/* sink.h: delivering one finished record to where KAIORETRY_LOG says. */
#ifndef KAIORETRY_SINK_H
#define KAIORETRY_SINK_H

#include <stdbool.h>

#include "../common/text.h"
#include "../config/config.h"

/* A record to fill, in memory of its own with signals blocked (see
 * sink.c), or NULL when none could be had (the record is dropped).
 * Every record taken goes to sink_deliver. */
struct text *sink_record(void);

/* Sends the record with the given syslog severity and gives its memory
 * and the signal mask back.  Returns false when the record was dropped
 * (daemon gone, buffer full).  Never blocks, never writes to the
 * program's stdout, never keeps an fd open. */
bool sink_deliver(const struct log_settings *log, int severity,
		  struct text *record);

/* sink_record, a copy of `message`, sink_deliver. */
bool sink_send(const struct log_settings *log, int severity,
	       const struct text *message);

#endif
