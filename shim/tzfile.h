/* tzfile.h: a zone file as glibc 2.36 reads it (TZ, /etc/localtime,
 * posixrules), read with raw syscalls and evaluated as glibc's tzfile.c
 * does. */
#ifndef KAIORETRY_TZFILE_H
#define KAIORETRY_TZFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "tzrule.h"

struct tzfile {
	unsigned width;			/* of a time: 4 (version 1) or 8 */
	const unsigned char *times;	/* timecnt big-endian times */
	const unsigned char *idx;	/* timecnt type indices */
	const unsigned char *types;	/* typecnt 6-byte ttinfo */
	const unsigned char *isstd, *isut;
	uint32_t timecnt, typecnt, isstdcnt, isutcnt;
	bool has_footer;		/* the POSIX TZ string after the data */
	struct tzrule footer;
	/* posixrules serving a TZ string's own offsets (tzfile_use_for). */
	bool for_string;
	long string_offset[2], file_offset[2];	/* standard, daylight */
};

enum tzfile_result {
	TZFILE_OK,		/* read: glibc uses this file */
	TZFILE_UNUSED,		/* glibc would not use it (none, refused,
				 * malformed): TZ is a POSIX string then */
	TZFILE_UNSURE,		/* what glibc would make of it is unknown:
				 * a FIFO or device (it would block there),
				 * too big for us, data it reads past, leap
				 * seconds (tzfile.c) */
};

/* Reads `name` (TZ less its colon, "/etc/localtime" or "posixrules";
 * relative to `tzdir`, getenv("TZDIR"), may be NULL), refusing what
 * glibc refuses in a `secure` (AT_SECURE) process.  Never blocks and
 * takes no lock: the file is checked with stat before it is opened
 * (O_NONBLOCK), and only a regular file is read.  `z` points into one
 * static buffer: one file at a time, read once. */
enum tzfile_result tzfile_read(struct tzfile *z, const char *name,
			       const char *tzdir, bool secure);

/* glibc's __tzfile_default: posixrules `z` made to serve a TZ string
 * with these offsets (seconds east) and no rules of its own.  UNUSED
 * when glibc would fall back to the US rules instead. */
enum tzfile_result tzfile_use_for(struct tzfile *z, long std, long dst);

/* Seconds east of UTC at `t`, as localtime_r's tm_gmtoff. */
long tzfile_offset_at(const struct tzfile *z, int64_t t);

#endif
