/* tzfile.c: reads a TZif zone file (RFC 8536, any version) and answers
 * "what does localtime_r add to t" exactly as glibc 2.36's tzfile.c
 * (__tzfile_read, __tzfile_default, __tzfile_compute) would: the same
 * checks in the same order (a file glibc rejects is TZFILE_UNUSED, and
 * glibc then reads TZ as a POSIX string), before the first transition
 * the first standard-time type, then the type of the last transition
 * at or before t, from the last transition on the footer's POSIX rule,
 * less the leap-second correction.
 *
 * It runs on behalf of sigaction, perhaps in the child of a forked
 * multithreaded parent, so it takes no lock and never blocks: raw
 * syscalls, no malloc or stdio, stat before open so a FIFO or device
 * is never opened (glibc would block or read it; we cannot follow:
 * TZFILE_UNSURE), O_NONBLOCK, and a size bound. */
#include "tzfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define HEADER 44
#define FILE_MAX 16384
#define DEFAULT_TZDIR "/usr/share/zoneinfo"
#define DEFAULT_ZONE "/etc/localtime"

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

static int64_t time_in(const unsigned char *p, unsigned width)
{
	return width == 8 ? be64(p) : (int64_t)(int32_t)be32(p);
}

/* glibc refuses, when AT_SECURE, an absolute path that is neither the
 * default zone nor under the default zone directory, and any "../". */
static bool refused_when_secure(const char *name)
{
	return (*name == '/' && strcmp(name, DEFAULT_ZONE) != 0 &&
		strncmp(name, DEFAULT_TZDIR, sizeof(DEFAULT_TZDIR) - 1) != 0) ||
	       strstr(name, "../") != NULL;
}

/* The whole file into `file`: its length, or -UNUSED / -UNSURE. */
static long slurp(const char *name, const char *tzdir)
{
	int dir = AT_FDCWD;
	if (*name != '/') {
		if (!tzdir || !*tzdir)
			tzdir = DEFAULT_TZDIR;
		/* glibc opens "tzdir/name"; past PATH_MAX that fails. */
		if (strlen(tzdir) + 1 + strlen(name) >= PATH_MAX)
			return -TZFILE_UNUSED;
		dir = (int)syscall(SYS_openat, AT_FDCWD, tzdir,
				   O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0)
			return -TZFILE_UNUSED;
	}
	long len = -TZFILE_UNUSED;
	struct stat st;
	int fd = -1;
	if (syscall(SYS_newfstatat, dir, name, &st, 0) != 0 ||
	    S_ISDIR(st.st_mode) || S_ISSOCK(st.st_mode))
		goto out;	/* glibc's fopen or fread fails on these */
	len = -TZFILE_UNSURE;
	if (!S_ISREG(st.st_mode) || st.st_size > FILE_MAX)
		goto out;
	fd = (int)syscall(SYS_openat, dir, name,
			  O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		len = -TZFILE_UNUSED;
		goto out;
	}
	if (syscall(SYS_fstat, fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;	/* swapped since the stat */
	len = 0;
	for (;;) {
		long n = syscall(SYS_read, fd, file + len,
				 sizeof(file) - (size_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			len = -TZFILE_UNUSED;	/* glibc's fread fails too */
			break;
		}
		if (n == 0)
			break;
		if ((len += n) == (long)sizeof(file)) {
			len = -TZFILE_UNSURE;	/* grew past the bound */
			break;
		}
	}
out:
	if (fd >= 0)
		syscall(SYS_close, fd);
	if (dir != AT_FDCWD)
		syscall(SYS_close, dir);
	return len;
}

struct counts {
	uint64_t isut, isstd, leap, time, type, chars;
};

/* A header's counts; glibc takes them as int and then size_t, so one
 * with the top bit set makes it wrap where we cannot follow. */
static enum tzfile_result header(const unsigned char *h, struct counts *c)
{
	if (memcmp(h, "TZif", 4) != 0)
		return TZFILE_UNUSED;
	uint32_t raw[6];
	for (int i = 0; i < 6; i++)
		if ((raw[i] = be32(h + 20 + 4 * i)) >> 31)
			return TZFILE_UNSURE;
	*c = (struct counts){ raw[0], raw[1], raw[2], raw[3], raw[4], raw[5] };
	return c->isstd > c->type || c->isut > c->type ? TZFILE_UNUSED
						       : TZFILE_OK;
}

static int32_t type_offset(const struct tzfile *z, unsigned type)
{
	return (int32_t)be32(z->types + type * 6);
}

static bool type_isdst(const struct tzfile *z, unsigned type)
{
	return z->types[type * 6 + 4];
}

static int64_t raw_transition(const struct tzfile *z, uint32_t i)
{
	return time_in(z->times + (size_t)i * z->width, z->width);
}

/* A transition's time; for_string, as __tzfile_default moves it to the
 * string's offsets, from its type's flags and the previous type. */
static int64_t transition(const struct tzfile *z, uint32_t i)
{
	int64_t t = raw_transition(z, i);
	if (!z->for_string)
		return t;
	unsigned type = z->idx[i];
	bool isut = type < z->isutcnt && z->isut[type];
	bool isstd = type < z->isstdcnt && z->isstd[type];
	bool was_dst = i > 0 && type_isdst(z, z->idx[i - 1]);
	if (isut)
		return t;
	if (was_dst && !isstd)
		return t + z->string_offset[1] - z->file_offset[1];
	return t + z->string_offset[0] - z->file_offset[0];
}

/* glibc searches assuming sorted times; we only follow sorted ones. */
static bool sorted(const struct tzfile *z)
{
	for (uint32_t i = 1; i < z->timecnt; i++)
		if (transition(z, i) < transition(z, i - 1))
			return false;
	return true;
}

static enum tzfile_result parse(struct tzfile *z, long len)
{
	const unsigned char *b = file;
	uint64_t size = (uint64_t)len, pos = HEADER;
	struct counts c;
	enum tzfile_result r;
	if (size < HEADER || (r = header(b, &c)) != TZFILE_OK)
		return size < HEADER ? TZFILE_UNUSED : r;
	*z = (struct tzfile){ .width = 4 };
	uint64_t footer = 0;
	if (b[4] != '\0') {
		/* Any version byte: skip the 32-bit block, as glibc does. */
		pos += c.time * 5 + c.type * 6 + c.chars + c.leap * 8 +
		       c.isstd + c.isut;
		if (pos + HEADER > size)
			return TZFILE_UNUSED;
		if ((r = header(b + pos, &c)) != TZFILE_OK)
			return r;
		pos += HEADER;
		z->width = 8;
		uint64_t rem = size - pos, need = c.time * 9 + c.type * 6 + c.chars;
		if (rem < need || (footer = rem - need) < c.leap * 12)
			return TZFILE_UNUSED;
		footer -= c.leap * 12;
		if (footer < c.isstd)
			return TZFILE_UNUSED;
		footer -= c.isstd;
		if (footer == 0 || footer - 1 < c.isut || footer - c.isut < 2)
			return TZFILE_UNUSED;
		footer -= c.isut;	/* "\n" spec, and a last byte ignored */
	} else if (size - pos < c.time * 5 + c.type * 6 + c.chars +
				c.leap * 8 + c.isstd + c.isut) {
		return TZFILE_UNUSED;
	}
	z->times = b + pos;
	z->idx = z->times + c.time * z->width;
	z->types = z->idx + c.time;
	z->isstd = z->types + c.type * 6 + c.chars + c.leap * (z->width + 4);
	z->isut = z->isstd + c.isstd;
	z->timecnt = (uint32_t)c.time;
	z->typecnt = (uint32_t)c.type;
	z->isstdcnt = (uint32_t)c.isstd;
	z->isutcnt = (uint32_t)c.isut;
	for (uint32_t i = 0; i < z->timecnt; i++)
		if (z->idx[i] >= z->typecnt)
			return TZFILE_UNUSED;
	for (uint32_t i = 0; i < z->typecnt; i++)
		if (z->types[i * 6 + 4] > 1 || z->types[i * 6 + 5] > c.chars)
			return TZFILE_UNUSED;
	if (z->typecnt == 0)
		return TZFILE_UNSURE;	/* glibc reads a type it has not got */
	if (c.leap > 0)
		return TZFILE_UNSURE;	/* see the top */
	if (!sorted(z))
		return TZFILE_UNSURE;
	const char *spec = (const char *)(z->isut + c.isut);
	if (footer >= 2 && spec[0] == '\n') {
		/* glibc drops the newline and the last byte, reads to a NUL. */
		long spec_len = (long)footer - 2;
		const char *nul = memchr(spec + 1, '\0', (size_t)spec_len);
		if (nul)
			spec_len = nul - (spec + 1);
		if (spec_len > 0) {
			/* A footer without rules would have glibc read
			 * posixrules over this very file: not followed. */
			if (!tzrule_parse(spec + 1, spec_len, &z->footer) ||
			    z->footer.rules_from_file)
				return TZFILE_UNSURE;
			z->has_footer = true;
		}
	}
	return TZFILE_OK;
}

enum tzfile_result tzfile_read(struct tzfile *z, const char *name,
			       const char *tzdir, bool secure)
{
	if (!*name || (secure && refused_when_secure(name)))
		return TZFILE_UNUSED;
	long len = slurp(name, tzdir);
	return len < 0 ? (enum tzfile_result)-len : parse(z, len);
}

enum tzfile_result tzfile_use_for(struct tzfile *z, long std, long dst)
{
	if (z->typecnt < 2)
		return TZFILE_UNUSED;
	/* The offsets the transitions are moved from (rule_stdoff and
	 * rule_dstoff).  Debian's 2.36 (the bug 29951 fix) takes the
	 * standard one from the latest standard type transitioned to, and
	 * no longer sets the daylight one, which keeps what it held: 0 in
	 * a process's first read, the one we follow; a later tzset in
	 * the program finds its own previous string's there. */
	long file_std = 0, file_dst = 0;
	if (z->timecnt == 0)
		file_std = file_dst = type_offset(z, 0);
	for (uint32_t i = z->timecnt; i-- > 0;)
		if (!type_isdst(z, z->idx[i])) {
			file_std = type_offset(z, z->idx[i]);
			break;
		}
	z->for_string = true;
	z->string_offset[0] = std;
	z->string_offset[1] = dst;
	z->file_offset[0] = file_std;
	z->file_offset[1] = file_dst;
	return sorted(z) ? TZFILE_OK : TZFILE_UNSURE;
}

/* Of the type that transition `i` leads to (posixrules for a string:
 * the string's offset of the same kind). */
static long offset_after(const struct tzfile *z, uint32_t i)
{
	unsigned type = z->idx[i];
	return z->for_string ? z->string_offset[type_isdst(z, type)]
			     : type_offset(z, type);
}

long tzfile_offset_at(const struct tzfile *z, int64_t t)
{
	uint32_t n = z->timecnt;
	if (n == 0 || t < transition(z, 0)) {
		if (z->for_string)
			return z->string_offset[0];
		unsigned i = 0;		/* the first standard-time type */
		while (i < z->typecnt && type_isdst(z, i))
			i++;
		return type_offset(z, i == z->typecnt ? 0 : i);
	}
	if (t >= transition(z, n - 1))
		return z->has_footer ? tzrule_offset_at(&z->footer, t)
				     : offset_after(z, n - 1);
	uint32_t lo = 0, hi = n - 1;	/* times[lo] <= t < times[hi] */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (transition(z, mid) <= t)
			lo = mid;
		else
			hi = mid;
	}
	return offset_after(z, lo);
}

