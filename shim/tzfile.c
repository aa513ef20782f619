/* tzfile.c: reads a TZif zone file (RFC 8536, version 2 or later) and
 * answers "what is the UTC offset at t" exactly as glibc's tzfile.c
 * (__tzfile_read, __tzfile_compute) would: before the first transition
 * the first standard-time type, then the type of the last transition
 * at or before t, and from the last transition on the footer's POSIX
 * rule.  Files glibc would read differently (version 1, leap seconds,
 * anything malformed) are TZFILE_UNSURE, and the caller asks glibc. */
#include "tzfile.h"

#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define HEADER 44
#define FILE_MAX 16384

/* Zone files are 100 bytes to 4 KB.  Static, and in this object so it
 * lands after the hot small variables: the start-up touches only the
 * page or two a file fills. */
static unsigned char file[FILE_MAX];

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* The path glibc opens, into `path`; false when it does not fit. */
static bool zone_path(const char *tz, const char *tzdir, char *path,
		      size_t size)
{
	if (!tz)
		tz = "/etc/localtime";
	else if (*tz == ':')
		tz++;
	if (!*tz)
		tz = "Universal";
	size_t len = strlen(tz);
	if (*tz == '/') {
		if (len >= size)
			return false;
		memcpy(path, tz, len + 1);
		return true;
	}
	if (!tzdir || !*tzdir)
		tzdir = "/usr/share/zoneinfo";
	size_t dlen = strlen(tzdir);
	if (dlen + 1 + len >= size)
		return false;
	memcpy(path, tzdir, dlen);
	path[dlen] = '/';
	memcpy(path + dlen + 1, tz, len + 1);
	return true;
}

/* The whole file into buf: its length; -2 when it cannot be opened,
 * -1 when it cannot be read or does not fit. */
static long slurp(const char *path, unsigned char *buf, size_t size)
{
	long fd = syscall(SYS_openat, AT_FDCWD, path,
			  O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -2;
	long len = 0;
	for (;;) {
		long n = syscall(SYS_read, (int)fd, buf + len,
				 size - (size_t)len);
		if (n <= 0 || (len += n) == (long)size) {
			if (n < 0 || len == (long)size)
				len = -1;	/* unreadable, or too big */
			break;
		}
	}
	syscall(SYS_close, (int)fd);
	return len;
}

static bool parse(struct tzfile *z, long len)
{
	const unsigned char *b = file, *end = b + len;
	if (len < 2 * HEADER || memcmp(b, "TZif", 4) != 0 || b[4] < '2')
		return false;
	/* Skip the 32-bit block, as glibc does with 64-bit time. */
	uint64_t skip = (uint64_t)be32(b + 32) * 5 + (uint64_t)be32(b + 36) * 6 +
			be32(b + 40) + (uint64_t)be32(b + 28) * 8 +
			be32(b + 24) + be32(b + 20);
	if (skip > (uint64_t)(len - 2 * HEADER))
		return false;
	b += HEADER + skip;
	if (memcmp(b, "TZif", 4) != 0)
		return false;
	uint32_t isut = be32(b + 20), isstd = be32(b + 24), leap = be32(b + 28);
	uint32_t timecnt = be32(b + 32), typecnt = be32(b + 36);
	uint32_t charcnt = be32(b + 40);
	if (leap != 0 || typecnt == 0 || typecnt > 256 || isstd > typecnt ||
	    isut > typecnt || timecnt > (uint32_t)len || charcnt > (uint32_t)len)
		return false;
	b += HEADER;
	size_t data = (size_t)timecnt * 9 + (size_t)typecnt * 6 + charcnt +
		      isstd + isut;
	if (data > (size_t)(end - b))
		return false;
	z->times = b;
	z->idx = b + (size_t)timecnt * 8;
	z->types = z->idx + timecnt;
	z->timecnt = timecnt;
	z->typecnt = typecnt;
	for (uint32_t i = 0; i < timecnt; i++)
		if (z->idx[i] >= typecnt)
			return false;
	for (uint32_t i = 0; i < typecnt; i++)
		if (z->types[i * 6 + 4] > 1 || z->types[i * 6 + 5] >= charcnt)
			return false;
	/* The footer: "\n" TZ "\n"; glibc drops the first and last byte. */
	const unsigned char *f = b + data;
	z->has_footer = false;
	if (end - f >= 3 && *f == '\n') {
		const char *tz = (const char *)f + 1;
		long tzlen = end - f - 2;
		if (memchr(tz, '\0', (size_t)tzlen) || end[-1] != '\n' ||
		    !tzrule_parse(tz, tzlen, &z->footer))
			return false;
		z->has_footer = true;
	}
	return true;
}

enum tzfile_result tzfile_read(struct tzfile *z, const char *tz,
			       const char *tzdir)
{
	char path[512];
	if (!zone_path(tz, tzdir, path, sizeof(path)))
		return TZFILE_UNSURE;
	long len = slurp(path, file, sizeof(file));
	if (len == -2)
		return TZFILE_ABSENT;
	return len >= 0 && parse(z, len) ? TZFILE_OK : TZFILE_UNSURE;
}

static long type_offset(const struct tzfile *z, unsigned type)
{
	return (long)(int32_t)be32(z->types + type * 6);
}

long tzfile_offset_at(const struct tzfile *z, int64_t t)
{
	uint32_t n = z->timecnt;
	if (n == 0 || t < be64(z->times)) {
		unsigned i = 0;		/* the first standard-time type */
		while (i < z->typecnt && z->types[i * 6 + 4])
			i++;
		return type_offset(z, i == z->typecnt ? 0 : i);
	}
	if (t >= be64(z->times + (size_t)(n - 1) * 8) && z->has_footer)
		return tzrule_offset_at(&z->footer, t);
	uint32_t lo = 0, hi = n;	/* times[lo] <= t < times[hi] */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (be64(z->times + (size_t)mid * 8) <= t)
			lo = mid;
		else
			hi = mid;
	}
	return type_offset(z, z->idx[lo]);
}
