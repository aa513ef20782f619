/* tzfile.h: the zone file glibc would read for TZ (or /etc/localtime),
 * read with raw syscalls and evaluated as glibc's tzfile.c does. */
#ifndef KAIORETRY_TZFILE_H
#define KAIORETRY_TZFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "tzrule.h"

struct tzfile {
	const unsigned char *times;	/* timecnt big-endian int64 */
	const unsigned char *idx;	/* timecnt type indices */
	const unsigned char *types;	/* typecnt 6-byte ttinfo */
	uint32_t timecnt, typecnt;
	bool has_footer;		/* the POSIX TZ string after the data */
	struct tzrule footer;
};

enum tzfile_result {
	TZFILE_OK,		/* zone read */
	TZFILE_ABSENT,		/* no such file: TZ is a POSIX string */
	TZFILE_UNSURE,		/* anything else: ask localtime_r */
};

/* Reads the zone glibc would use for `tz` (getenv("TZ"), may be NULL)
 * and `tzdir` (getenv("TZDIR"), may be NULL).  `z` points into one
 * static buffer: read one zone at a time, at start-up. */
enum tzfile_result tzfile_read(struct tzfile *z, const char *tz,
			       const char *tzdir);

/* Seconds east of UTC at `t`, as localtime_r's tm_gmtoff. */
long tzfile_offset_at(const struct tzfile *z, int64_t t);

#endif
