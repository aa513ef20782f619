/* sink_rfc5424.h: an RFC 5424 syslog header with the record's facts as
 * structured data (sink_rfc5424.c). */
#ifndef KAIORETRY_SINK_RFC5424_H
#define KAIORETRY_SINK_RFC5424_H

#include "sink.h"

/* The SD-ID of the facts: 32473 is the enterprise number RFC 5612
 * reserves for documentation. */
#define RFC5424_SD_ID "kaioretry@32473"

/* "<PRI>1 TIMESTAMP - kaioretry PID - [kaioretry@32473 ...] " into `t`;
 * the message follows.  `facts` may be NULL (no structured data);
 * `target` is the facts' target, named. */
void rfc5424_header(struct text *t, int priority,
		    const struct record_facts *facts,
		    const struct text *target);

/* An SD-PARAM value: ", \ and ] escaped with a backslash as RFC 5424
 * requires; control and non-ASCII bytes as \xNN, as in the text. */
void rfc5424_param_value(struct text *t, const char *value, size_t len);

#endif
