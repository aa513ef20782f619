/* opener: opens a file as programs do, for test_open.py.  Prints what
 * libc returned and how long it took; exit 0 when opened, 1 when not.
 *
 *   opener CALL PATH [MODE]
 *
 * CALL is open, openat (relative to the directory of PATH, through a
 * dirfd), creat, fopen, open64 or fopen64, or a creating form:
 * open-creat, openat-creat (O_CREAT | O_WRONLY, MODE octal), open-excl
 * (O_CREAT | O_EXCL | O_WRONLY) or tmpfile (O_TMPFILE | O_WRONLY in the
 * directory PATH); fifo-nonblock: open(O_WRONLY | O_NONBLOCK), which a
 * FIFO without a reader answers with ENXIO; or badptr: open with the path pointer 1 (PATH
 * unused).  With MODE, the umask
 * is 0 and the new file's permission bits are printed.  The flags are
 * read from the command line, so a -D_FORTIFY_SOURCE build cannot see
 * them and calls __open_2 for open. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* O_TMPFILE, open64 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The directory of path and its last part, for openat. */
static int dir_of(const char *path, char *base, size_t size)
{
	char copy[4096];
	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(base, size, "%s", basename(copy));
	snprintf(copy, sizeof(copy), "%s", path);
	return open(dirname(copy), O_RDONLY | O_DIRECTORY);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: opener CALL PATH [MODE]\n");
		return 2;
	}
	const char *call = argv[1], *path = argv[2];
	mode_t mode = argc > 3 ? (mode_t)strtoul(argv[3], NULL, 8) : 0;
	int flags = argc > 3 ? O_WRONLY : O_RDONLY;
	if (argc > 3)
		umask(0);
	char base[4096];
	int dirfd = strncmp(call, "openat", 6) == 0 ?
		    dir_of(path, base, sizeof(base)) : AT_FDCWD;
	int fd = -1;
	FILE *f = NULL;
	double start = now();
	if (strcmp(call, "open") == 0)
		fd = open(path, flags);
	else if (strcmp(call, "open64") == 0)
		fd = open64(path, flags);
	else if (strcmp(call, "openat") == 0)
		fd = openat(dirfd, base, flags);
	else if (strcmp(call, "creat") == 0)
		fd = creat(path, mode);
	else if (strcmp(call, "open-creat") == 0)
		fd = open(path, flags | O_CREAT, mode);
	else if (strcmp(call, "openat-creat") == 0)
		fd = openat(dirfd, base, flags | O_CREAT, mode);
	else if (strcmp(call, "open-excl") == 0)
		fd = open(path, flags | O_CREAT | O_EXCL, mode);
	else if (strcmp(call, "fifo-nonblock") == 0)
		fd = open(path, O_WRONLY | O_NONBLOCK);
	else if (strcmp(call, "badptr") == 0)
		fd = open((const char *)1, flags);
	else if (strcmp(call, "tmpfile") == 0)
		fd = open(path, flags | O_TMPFILE, mode);
	else if (strcmp(call, "fopen") == 0)
		f = fopen(path, "r");
	else if (strcmp(call, "fopen64") == 0)
		f = fopen64(path, "r");
	else
		return 2;
	int err = errno;
	double took = now() - start;
	if (f)
		fd = fileno(f);
	if (fd < 0) {
		printf("%s: %s, took %.3f s\n", call, strerror(err), took);
		return 1;
	}
	printf("%s: opened", call);
	struct stat st;
	if (argc > 3 && fstat(fd, &st) == 0)
		printf(", mode %o", (unsigned)(st.st_mode & 07777));
	printf(", took %.3f s\n", took);
	return 0;
}
