/* tzrule.h: POSIX TZ strings ("CET-1CEST,M3.5.0,M10.5.0/3"), read and
 * evaluated exactly as glibc 2.36's tzset.c does, for the local clock:
 * every string, odd ones included, gives the offsets localtime_r would. */
#ifndef KAIORETRY_TZRULE_H
#define KAIORETRY_TZRULE_H

#include <stdbool.h>
#include <stdint.h>

/* glibc's tz_rule, less the names: what a string leaves in it, parts
 * left unparsed staying zero, is what localtime_r evaluates. */
struct tzrule_date {
	enum { TZRULE_J0, TZRULE_J1, TZRULE_M } type;	/* n, Jn, Mm.w.d */
	unsigned short m, n, d;
	int secs;		/* time of day of the change, local */
};

struct tzrule {
	long offset[2];		/* seconds east of UTC: standard, daylight */
	struct tzrule_date date[2];	/* daylight starts, ends */
	/* A daylight name with no rule: glibc takes the rules from the
	 * "posixrules" zone file (tzfile_use_rules_from), and only if that
	 * fails uses the US rules, which `date` then holds. */
	bool rules_from_file;
};

/* Parses `tz` (len bytes, or up to a NUL) as glibc would.  False only
 * where glibc would read memory outside its tables (a month outside
 * 1..12 left by a bad string): then no offset can be known. */
bool tzrule_parse(const char *tz, long len, struct tzrule *r);

/* Seconds east of UTC at `t`, as localtime_r's tm_gmtoff. */
long tzrule_offset_at(const struct tzrule *r, int64_t t);

#endif
