/* sink.h: delivering one finished record to where KAIORETRY_LOG says. */
#ifndef KAIORETRY_SINK_H
#define KAIORETRY_SINK_H

#include <stdbool.h>

#include "../config/config.h"
#include "text.h"

/* Sends `message` with the given syslog severity.  Returns false when
 * the record was dropped (daemon gone, buffer full).  Never blocks,
 * never writes to the program's stdout, never keeps an fd open. */
bool sink_send(const struct log_settings *log, int severity,
	       const struct text *message);

#endif
