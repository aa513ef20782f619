/* tzrule.c: POSIX TZ strings, parsed and evaluated the way glibc 2.36's
 * tzset.c does it (__tzset_parse_tz, parse_tzname, parse_offset,
 * parse_rule, compute_change, __tz_compute), so the local clock matches
 * localtime_r to the second for any string, odd ones included: a part
 * glibc fails to parse leaves its fields as they were, and glibc still
 * evaluates them.  Its sscanf("%hu") and strtoul are followed too
 * (blanks, signs, wrap-around).  Pure code: no libc state, no locks. */
#include "tzrule.h"

#include <limits.h>

#define DAY 86400L

/* The string, read as a C string: `end` (or a NUL) reads as NUL. */
struct cursor {
	const char *p, *end;
};

static char peek(const struct cursor *c, long ahead)
{
	return c->end - c->p > ahead ? c->p[ahead] : '\0';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* parse_tzname: three or more letters, or <...> of three or more
 * letters, digits, + and -. */
static bool parse_name(struct cursor *c)
{
	long len = 0;
	while (is_alpha(peek(c, len)))
		len++;
	if (len >= 3) {
		c->p += len;
		return true;
	}
	if (peek(c, 0) != '<')
		return false;
	len = 1;
	for (char x; is_alpha(x = peek(c, len)) || is_digit(x) || x == '+' ||
		     x == '-';)
		len++;
	if (peek(c, len) != '>' || len - 1 < 3)
		return false;
	c->p += len + 1;
	return true;
}

/* One sscanf "%hu": blanks, a sign, digits read as strtoul does
 * (ULONG_MAX past it, a minus negating), kept to 16 bits. */
static bool scan_ushort(struct cursor *c, unsigned short *v)
{
	struct cursor s = *c;
	while (is_space(peek(&s, 0)))
		s.p++;
	bool negative = peek(&s, 0) == '-';
	s.p += negative || peek(&s, 0) == '+';
	if (!is_digit(peek(&s, 0)))
		return false;
	unsigned long x = 0;
	bool overflow = false;
	for (char d; is_digit(d = peek(&s, 0)); s.p++) {
		unsigned long digit = (unsigned long)(d - '0');
		if (x > (ULONG_MAX - digit) / 10)
			overflow = true;
		else
			x = x * 10 + digit;
	}
	if (overflow)
		x = ULONG_MAX;
	else if (negative)
		x = -x;
	*v = (unsigned short)x;
	*c = s;
	return true;
}

/* sscanf(s, "%hu%n:%hu%n:%hu%n"): how many were read (each one written
 * as it is read); the cursor moves past the last one read. */
static int scan_hms(struct cursor *c, unsigned short hms[3])
{
	struct cursor s = *c;
	int n = 0;
	while (n < 3) {
		if (n > 0) {
			if (peek(&s, 0) != ':')
				break;
			s.p++;
		}
		if (!scan_ushort(&s, &hms[n]))
			break;
		n++;
		*c = s;
	}
	return n;
}

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

/* parse_offset: [+-]hh[:mm[:ss]], west positive. */
static bool parse_offset(struct cursor *c, struct tzrule *r, int which)
{
	char first = peek(c, 0);
	if (which == 0 && first != '+' && first != '-' && !is_digit(first))
		return false;
	int sign = -1;
	if (first == '-' || first == '+') {
		sign = first == '-' ? 1 : -1;
		c->p++;
	}
	unsigned short hms[3] = { 0, 0, 0 };
	if (scan_hms(c, hms) > 0) {
		r->offset[which] = sign * (int)(min_u(hms[2], 59) +
						min_u(hms[1], 59) * 60 +
						min_u(hms[0], 24) * 3600);
		return true;
	}
	if (which == 0) {
		r->offset[0] = 0;
		return false;
	}
	r->offset[1] = r->offset[0] + 3600;	/* past the sign, if any */
	return true;
}

/* parse_rule: [,]date[/time]; the US rule when the string has ended. */
static bool parse_rule(struct cursor *c, struct tzrule_date *d, int which)
{
	if (peek(c, 0) == ',')
		c->p++;
	char first = peek(c, 0);
	if (first == 'J' || is_digit(first)) {
		d->type = first == 'J' ? TZRULE_J1 : TZRULE_J0;
		if (first == 'J' && !is_digit(peek(c, 1)))
			return false;
		c->p += first == 'J';
		unsigned long n = 0;
		for (char x; is_digit(x = peek(c, 0)); c->p++)
			if (n <= 365)
				n = n * 10 + (unsigned long)(x - '0');
		if (n > 365 || (d->type == TZRULE_J1 && n == 0))
			return false;
		d->d = (unsigned short)n;
	} else if (first == 'M') {
		d->type = TZRULE_M;
		struct cursor s = { c->p + 1, c->end };	/* past the M */
		unsigned short *field[3] = { &d->m, &d->n, &d->d };
		for (int i = 0; i < 3; i++) {
			if (i > 0 && peek(&s, 0) != '.')
				return false;
			s.p += i > 0;
			if (!scan_ushort(&s, field[i]))
				return false;
		}
		if (d->m < 1 || d->m > 12 || d->n < 1 || d->n > 5 || d->d > 6)
			return false;
		*c = s;
	} else if (first == '\0') {
		d->type = TZRULE_M;
		d->m = which == 0 ? 3 : 11;
		d->n = which == 0 ? 2 : 1;
		d->d = 0;
	} else {
		return false;
	}
	char next = peek(c, 0);
	if (next != '\0' && next != '/' && next != ',')
		return false;
	if (next != '/') {
		d->secs = 2 * 3600;
		return true;
	}
	c->p++;
	if (peek(c, 0) == '\0')
		return false;
	bool negative = peek(c, 0) == '-';
	c->p += negative;
	unsigned short hms[3] = { 2, 0, 0 };
	scan_hms(c, hms);
	d->secs = (negative ? -1 : 1) * (hms[0] * 3600 + hms[1] * 60 + hms[2]);
	return true;
}

bool tzrule_parse(const char *tz, long len, struct tzrule *r)
{
	struct cursor c = { tz, tz + len };
	*r = (struct tzrule){ 0 };
	if (!parse_name(&c) || !parse_offset(&c, r, 0))
		return true;		/* UTC */
	if (peek(&c, 0) == '\0') {
		r->offset[1] = r->offset[0];	/* no daylight saving */
		return true;
	}
	if (parse_name(&c)) {
		parse_offset(&c, r, 1);
		r->rules_from_file = peek(&c, 0) == '\0' ||
				     (peek(&c, 0) == ',' && peek(&c, 1) == '\0');
	}
	if (parse_rule(&c, &r->date[0], 0))
		parse_rule(&c, &r->date[1], 1);
	/* A month glibc would index its table with, out of bounds. */
	for (int i = 0; i < 2; i++)
		if (r->date[i].type == TZRULE_M &&
		    (r->date[i].m < 1 || r->date[i].m > 12))
			return false;
	return true;
}

static bool is_leap(long y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* UTC seconds at 00:00 on January 1st of `year` (glibc's formula). */
static int64_t year_start(long year)
{
	if (year <= 1970)
		return 0;
	return ((int64_t)(year - 1970) * 365 + ((year - 1) / 4 - 1970 / 4) -
		((year - 1) / 100 - 1970 / 100) +
		((year - 1) / 400 - 1970 / 400)) * DAY;
}

/* The UTC year of `t`. */
static long year_of(int64_t t)
{
	long y = 1970 + (long)(t / (365 * DAY + DAY / 4));
	while (year_start(y) > t && y > 1970)
		y--;
	while (year_start(y + 1) <= t)
		y++;
	return y;
}

static const int month_start[2][13] = {
	{ 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365 },
	{ 0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366 },
};

/* glibc's compute_change: when rule `i` takes effect in `year`. */
static int64_t change_time(const struct tzrule *r, int i, long year)
{
	const struct tzrule_date *d = &r->date[i];
	int64_t t = year_start(year);
	int leap = is_leap(year);
	switch (d->type) {
	case TZRULE_J1:
		t += (d->d - 1) * DAY;
		if (d->d >= 60 && leap)
			t += DAY;
		break;
	case TZRULE_J0:
		t += d->d * DAY;
		break;
	case TZRULE_M: {
		const int *myday = &month_start[leap][d->m];
		t += myday[-1] * DAY;
		int m1 = (d->m + 9) % 12 + 1;
		int yy0 = d->m <= 2 ? (int)year - 1 : (int)year;
		int yy1 = yy0 / 100, yy2 = yy0 % 100;
		int dow = ((26 * m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 -
			   2 * yy1) % 7;
		if (dow < 0)
			dow += 7;
		int day = d->d - dow;
		if (day < 0)
			day += 7;
		for (int k = 1; k < d->n; k++) {
			if (day + 7 >= myday[0] - myday[-1])
				break;
			day += 7;
		}
		t += day * DAY;
		break;
	}
	}
	return t - r->offset[i] + d->secs;
}

/* __tz_compute: both changes in the UTC year of `t` (equal ones, as
 * for a zone without daylight saving, mean standard time all year). */
long tzrule_offset_at(const struct tzrule *r, int64_t t)
{
	long year = year_of(t);
	int64_t start = change_time(r, 0, year), end = change_time(r, 1, year);
	bool dst = start > end ? (t < end || t >= start)
			       : (t >= start && t < end);
	return r->offset[dst];
}
