/* sink_journal.c: a record in journald's native protocol.
 *
 * journald reads datagrams of KEY=VALUE lines on
 * /run/systemd/journal/socket; a value holding a newline goes in the
 * binary form (key, newline, 64-bit little-endian length, bytes).  The
 * series' facts become fields of their own, so `journalctl
 * KAIORETRY_SERIES=<uuid>` finds one series and KAIORETRY_TARGET every
 * series against one destination.  Only the datagram is built here;
 * sink.c sends it with the same rules as every record. */
#include "sink_journal.h"

#include <errno.h>
#include <string.h>

#include "../config/errnames.h"

static void put(struct journal_wire *w, const void *bytes, size_t len)
{
	if (w->full || len > sizeof(w->buf) - w->len) {
		w->full = true;
		return;
	}
	memcpy(w->buf + w->len, bytes, len);
	w->len += len;
}

void journal_field(struct journal_wire *w, const char *key,
		   const char *value, size_t len)
{
	put(w, key, strlen(key));
	if (!memchr(value, '\n', len)) {
		put(w, "=", 1);
		put(w, value, len);
		put(w, "\n", 1);
		return;
	}
	unsigned char size[8];
	for (int i = 0; i < 8; i++)
		size[i] = (unsigned char)((uint64_t)len >> (8 * i));
	put(w, "\n", 1);
	put(w, size, sizeof(size));
	put(w, value, len);
	put(w, "\n", 1);
}

static void string_field(struct journal_wire *w, const char *key,
			 const char *value)
{
	if (value)
		journal_field(w, key, value, strlen(value));
}

static void number_field(struct journal_wire *w, const char *key,
			 uint64_t value)
{
	char digits[24];	/* not a struct text: the stack stays small */
	size_t n = 0;
	do {
		digits[sizeof(digits) - ++n] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	journal_field(w, key, digits + sizeof(digits) - n, n);
}

static void fact_fields(struct journal_wire *w,
			const struct record_facts *facts,
			const struct text *target)
{
	if (facts->code > 0)
		number_field(w, "ERRNO", (uint64_t)facts->code);
	string_field(w, "KAIORETRY_ERROR", errname_of(facts->code));
	string_field(w, "KAIORETRY_SERIES", facts->series);
	string_field(w, "KAIORETRY_CALL", facts->call);
	if (target)
		journal_field(w, "KAIORETRY_TARGET", target->buf, target->len);
	if (facts->try_number)
		number_field(w, "KAIORETRY_TRY", facts->try_number);
	string_field(w, "KAIORETRY_OUTCOME", facts->outcome);
	string_field(w, "KAIORETRY_INJECTED", facts->injected);
}

bool journal_wire_build(struct journal_wire *w, const struct log_settings *log,
			int severity, const struct text *message,
			const struct record_facts *facts,
			const struct text *target)
{
	w->len = 0;
	w->full = false;
	journal_field(w, "MESSAGE", message->buf, message->len);
	number_field(w, "PRIORITY", (uint64_t)severity);
	string_field(w, "SYSLOG_IDENTIFIER", "kaioretry");
	number_field(w, "SYSLOG_FACILITY", (uint64_t)log->facility >> 3);
	string_field(w, "KAIORETRY_PROGRAM", program_invocation_short_name);
	if (facts)
		fact_fields(w, facts, target);
	return !w->full;
}
