/* tzrule.h: POSIX TZ strings ("CET-1CEST,M3.5.0,M10.5.0/3"), read and
 * evaluated exactly as glibc's tzset.c does, for the local clock. */
#ifndef KAIORETRY_TZRULE_H
#define KAIORETRY_TZRULE_H

#include <stdbool.h>
#include <stdint.h>

struct tzrule_date {
	enum { TZRULE_J0, TZRULE_J1, TZRULE_M } type;	/* n, Jn, Mm.w.d */
	int m, n, d;
	long secs;		/* time of day of the change, local */
};

struct tzrule {
	long offset[2];		/* seconds east of UTC: standard, daylight */
	bool has_dst;
	struct tzrule_date date[2];	/* daylight starts, ends */
};

/* Parses `tz` (len bytes, no NUL needed).  False for anything this
 * does not follow exactly as glibc would (a bad string, a daylight
 * name with no rule, which glibc completes from "posixrules"): the
 * caller then asks localtime_r. */
bool tzrule_parse(const char *tz, long len, struct tzrule *r);

/* Seconds east of UTC at `t`, as localtime_r's tm_gmtoff. */
long tzrule_offset_at(const struct tzrule *r, int64_t t);

#endif
