/* tzrule.c: POSIX TZ strings, parsed and evaluated the way glibc's
 * tzset.c does it (parse_tzname, parse_offset, parse_rule,
 * compute_change, __tz_compute), so the local clock's table matches
 * localtime_r to the second.  Pure code: no libc state, no locks. */
#include "tzrule.h"

#define DAY 86400L

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A name: three or more letters, or <...> of letters, digits, + and -. */
static bool parse_name(const char **p, const char *end)
{
	const char *s = *p;
	if (s < end && *s == '<') {
		const char *q = ++s;
		while (q < end && (is_alpha(*q) || is_digit(*q) ||
				   *q == '+' || *q == '-'))
			q++;
		if (q == end || *q != '>' || q - s < 3)
			return false;
		*p = q + 1;
		return true;
	}
	while (s < end && is_alpha(*s))
		s++;
	if (s - *p < 3)
		return false;
	*p = s;
	return true;
}

/* Like sscanf("%hu") on plain digits; false past 65535, where glibc
 * would be left to its own devices. */
static bool parse_ushort(const char **p, const char *end, unsigned *v)
{
	const char *s = *p;
	unsigned x = 0;
	if (s == end || !is_digit(*s))
		return false;
	while (s < end && is_digit(*s))
		if ((x = x * 10 + (unsigned)(*s++ - '0')) > 0xffff)
			return false;
	*v = x;
	*p = s;
	return true;
}

/* hh[:mm[:ss]] as sscanf("%hu%n:%hu%n:%hu%n") reads it. */
static bool parse_hms(const char **p, const char *end, unsigned hms[3])
{
	if (!parse_ushort(p, end, &hms[0]))
		return false;
	for (int i = 1; i < 3; i++) {
		const char *s = *p;
		if (s == end || *s != ':')
			break;
		s++;
		if (!parse_ushort(&s, end, &hms[i]))
			break;
		*p = s;
	}
	return true;
}

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

/* [+-]hh[:mm[:ss]], west positive; seconds east of UTC. */
static bool parse_offset(const char **p, const char *end, long *offset)
{
	const char *s = *p;
	long sign = -1;
	unsigned hms[3] = { 0, 0, 0 };
	if (s < end && (*s == '+' || *s == '-'))
		sign = *s++ == '-' ? 1 : -1;
	if (!parse_hms(&s, end, hms))
		return false;
	*offset = sign * (long)(min_u(hms[2], 59) + min_u(hms[1], 59) * 60 +
				min_u(hms[0], 24) * 3600);
	*p = s;
	return true;
}

static bool parse_date(const char **p, const char *end, struct tzrule_date *d)
{
	const char *s = *p;
	unsigned v[3];
	if (s < end && *s == ',')
		s++;
	if (s < end && (*s == 'J' || is_digit(*s))) {
		d->type = *s == 'J' ? TZRULE_J1 : TZRULE_J0;
		s += *s == 'J';
		unsigned long n = 0;
		if (s == end || !is_digit(*s))
			return false;
		while (s < end && is_digit(*s) && n <= 365)
			n = n * 10 + (unsigned long)(*s++ - '0');
		if (n > 365 || (d->type == TZRULE_J1 && n == 0))
			return false;
		d->d = (int)n;
	} else if (s < end && *s == 'M') {
		s++;
		d->type = TZRULE_M;
		for (int i = 0; i < 3; i++)
			if ((i > 0 && (s == end || *s++ != '.')) ||
			    !parse_ushort(&s, end, &v[i]))
				return false;
		if (v[0] < 1 || v[0] > 12 || v[1] < 1 || v[1] > 5 || v[2] > 6)
			return false;
		d->m = (int)v[0], d->n = (int)v[1], d->d = (int)v[2];
	} else {
		return false;	/* glibc's built-in US rule: leave it to glibc */
	}
	d->secs = 2 * 3600;
	if (s < end && *s == '/') {
		unsigned hms[3] = { 2, 0, 0 };
		bool negative = ++s < end && *s == '-';
		s += negative;
		if (!parse_hms(&s, end, hms))
			return false;	/* glibc keeps 2:00; rare enough */
		d->secs = (negative ? -1 : 1) *
			  (long)(hms[0] * 3600 + hms[1] * 60 + hms[2]);
	}
	if (s < end && *s != ',')
		return false;
	*p = s;
	return true;
}

bool tzrule_parse(const char *tz, long len, struct tzrule *r)
{
	const char *p = tz, *end = tz + len;
	*r = (struct tzrule){ 0 };
	if (!parse_name(&p, end) || p == end ||
	    !(*p == '+' || *p == '-' || is_digit(*p)) ||
	    !parse_offset(&p, end, &r->offset[0]))
		return false;
	if (p == end) {
		r->offset[1] = r->offset[0];
		return true;
	}
	if (!parse_name(&p, end))
		return false;
	r->has_dst = true;
	if (!parse_offset(&p, end, &r->offset[1]))
		r->offset[1] = r->offset[0] + 3600;
	if (p == end || (*p == ',' && p + 1 == end))
		return false;	/* glibc takes the rule from posixrules */
	return parse_date(&p, end, &r->date[0]) &&
	       parse_date(&p, end, &r->date[1]) && p == end;
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

long tzrule_offset_at(const struct tzrule *r, int64_t t)
{
	if (!r->has_dst)
		return r->offset[0];
	long year = year_of(t);
	int64_t start = change_time(r, 0, year), end = change_time(r, 1, year);
	bool dst = start > end ? (t < end || t >= start)
			       : (t >= start && t < end);
	return r->offset[dst];
}
