/* text.h: building log records in a fixed buffer.
 *
 * The retry path may run inside a signal handler or while the program
 * holds locks, so records are built without snprintf (which may lock or
 * allocate) and without locale.  Text that comes from the program (host
 * names, paths) goes through text_escaped, so a record can never hold a
 * control character or a newline that would forge a second record. */
#ifndef KAIORETRY_TEXT_H
#define KAIORETRY_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define TEXT_MAX 1024

struct text {
	size_t len;
	char buf[TEXT_MAX];
};

void text_str(struct text *t, const char *s);
void text_mem(struct text *t, const char *s, size_t len);
void text_escaped(struct text *t, const char *s, size_t len);
void text_uint(struct text *t, uint64_t value);
void text_int(struct text *t, int64_t value);
/* Plain decimal with at most 6 fraction digits and no trailing zeros:
 * 0.5, 1, 0.125. */
void text_decimal(struct text *t, double value);
void text_hex(struct text *t, const uint8_t *bytes, size_t len);
/* "2026-11-28T15:06:14.123456Z" (RFC 3339, UTC) from seconds since the
 * epoch and microseconds. */
void text_rfc3339_utc(struct text *t, int64_t seconds, unsigned micros);
/* "Nov 28 15:06:14" from seconds since the epoch, already in local time. */
void text_rfc3164_time(struct text *t, int64_t local_seconds);

#endif
