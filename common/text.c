/* text.c: the formatters of text.h.  A full buffer silently truncates:
 * a shortened log record is better than none. */
#include "text.h"

#include <string.h>

void text_mem(struct text *t, const char *s, size_t len)
{
	size_t room = TEXT_MAX - 1 - t->len;
	if (len > room)
		len = room;
	memcpy(t->buf + t->len, s, len);
	t->len += len;
	t->buf[t->len] = '\0';
}

void text_str(struct text *t, const char *s)
{
	text_mem(t, s, strlen(s));
}

void text_escaped(struct text *t, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			text_mem(t, (const char *)&c, 1);
		} else {
			char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
			text_mem(t, esc, 4);
		}
	}
}

void text_uint(struct text *t, uint64_t value)
{
	char digits[24];
	size_t n = 0;
	do {
		digits[sizeof(digits) - ++n] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	text_mem(t, digits + sizeof(digits) - n, n);
}

void text_int(struct text *t, int64_t value)
{
	if (value < 0) {
		text_mem(t, "-", 1);
		text_uint(t, (uint64_t)0 - (uint64_t)value);
	} else {
		text_uint(t, (uint64_t)value);
	}
}

void text_decimal(struct text *t, double value)
{
	if (value < 0) {
		text_mem(t, "-", 1);
		value = -value;
	}
	if (value > 1e15) {	/* nothing we configure gets here */
		text_str(t, "huge");
		return;
	}
	uint64_t micros = (uint64_t)(value * 1e6 + 0.5);
	text_uint(t, micros / 1000000);
	unsigned frac = (unsigned)(micros % 1000000);
	if (!frac)
		return;
	char digits[8] = ".";
	int n = 6;
	while (frac % 10 == 0)
		frac /= 10, n--;
	for (int i = n; i > 0; i--, frac /= 10)
		digits[i] = (char)('0' + frac % 10);
	text_mem(t, digits, (size_t)n + 1);
}

void text_hex(struct text *t, const uint8_t *bytes, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		char pair[2] = { hex[bytes[i] >> 4], hex[bytes[i] & 15] };
		text_mem(t, pair, 2);
	}
}

static void two_digits(struct text *t, unsigned v, char pad)
{
	char pair[2] = { v < 10 ? pad : (char)('0' + v / 10),
			 (char)('0' + v % 10) };
	text_mem(t, pair, 2);
}

/* Days since 1970-01-01 to civil date (Howard Hinnant's algorithm). */
static int64_t civil_from_days(int64_t z, unsigned *month, unsigned *day)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	return (int64_t)yoe + era * 400 + (*month <= 2);	/* the year */
}

static void split_day(int64_t seconds, int64_t *days, int64_t *secs)
{
	*days = seconds / 86400;
	*secs = seconds % 86400;
	if (*secs < 0)
		*secs += 86400, (*days)--;
}

static void clock_time(struct text *t, int64_t secs)
{
	two_digits(t, (unsigned)(secs / 3600), '0');
	text_mem(t, ":", 1);
	two_digits(t, (unsigned)(secs / 60 % 60), '0');
	text_mem(t, ":", 1);
	two_digits(t, (unsigned)(secs % 60), '0');
}

/* Digits written right to left into `end`'s field of `width`. */
static void put_digits(char *end, int width, uint64_t value)
{
	while (width-- > 0) {
		*--end = (char)('0' + value % 10);
		value /= 10;
	}
}

void text_rfc3339_utc(struct text *t, int64_t seconds, unsigned micros)
{
	/* Built in place, calling nothing deep: records are built on the
	 * failure path, whose stack is kept small. */
	char out[] = "YYYY-MM-DDTHH:MM:SS.uuuuuuZ";
	int64_t days, secs;
	split_day(seconds, &days, &secs);
	unsigned month, day;
	int64_t year = civil_from_days(days, &month, &day);
	put_digits(out + 4, 4, (uint64_t)(year < 0 ? 0 : year));
	put_digits(out + 7, 2, month);
	put_digits(out + 10, 2, day);
	put_digits(out + 13, 2, (uint64_t)secs / 3600);
	put_digits(out + 16, 2, (uint64_t)secs / 60 % 60);
	put_digits(out + 19, 2, (uint64_t)secs % 60);
	put_digits(out + 26, 6, micros);
	text_mem(t, out, sizeof(out) - 1);
}

void text_rfc3164_time(struct text *t, int64_t local_seconds)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int64_t days, secs;
	split_day(local_seconds, &days, &secs);
	unsigned month, day;
	civil_from_days(days, &month, &day);
	text_mem(t, months + 3 * (month - 1), 3);
	text_mem(t, " ", 1);
	two_digits(t, day, ' ');
	text_mem(t, " ", 1);
	clock_time(t, secs);
}
