/* diskfiles: writes to two files in DIR and settles each (fsync,
 * fdatasync, ftruncate, close), reporting every call's outcome, for the
 * disk fault tests.  Its own output goes out with a raw write system
 * call, so it is never one of the calls a rule counts.
 *
 *   diskfiles DIR N     N one-line writes to DIR/a.txt and DIR/b.txt in
 *                       turn, then per file: fsync, fdatasync, ftruncate
 *                       to 2 bytes, close; finally whether each closed
 *                       descriptor is really gone, and the files' sizes
 *
 * Lines: "a.txt write ok=N failed=M errors=ENOSPC,..." and "a.txt fsync
 * ok" or "a.txt fsync failed ENOSPC", "a.txt released yes", "a.txt size 2".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(line))
		syscall(SYS_write, 1, line, (size_t)n);
}

static void outcome(const char *file, const char *call, int r)
{
	if (r == 0)
		say("%s %s ok\n", file, call);
	else
		say("%s %s failed %s\n", file, call, strerrorname_np(errno));
}

int main(int argc, char **argv)
{
	static const char *const names[2] = { "a.txt", "b.txt" };
	char path[2][4096];
	int fd[2], ok[2] = { 0 }, failed[2] = { 0 };
	char errors[2][4096] = { "", "" };
	if (argc != 3)
		return 2;
	int n = atoi(argv[2]);
	for (int f = 0; f < 2; f++) {
		snprintf(path[f], sizeof(path[f]), "%s/%s", argv[1], names[f]);
		fd[f] = open(path[f], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			     0600);
		if (fd[f] < 0)
			return 3;
	}
	for (int i = 0; i < n; i++) {
		for (int f = 0; f < 2; f++) {
			if (write(fd[f], "line\n", 5) == 5) {
				ok[f]++;
				continue;
			}
			failed[f]++;
			size_t len = strlen(errors[f]);
			snprintf(errors[f] + len, sizeof(errors[f]) - len, "%s%s",
				 len ? "," : "", strerrorname_np(errno));
		}
	}
	for (int f = 0; f < 2; f++)
		say("%s write ok=%d failed=%d errors=%s\n", names[f], ok[f],
		    failed[f], errors[f]);
	for (int f = 0; f < 2; f++) {
		outcome(names[f], "fsync", fsync(fd[f]));
		outcome(names[f], "fdatasync", fdatasync(fd[f]));
		outcome(names[f], "ftruncate", ftruncate(fd[f], 2));
		outcome(names[f], "close", close(fd[f]));
		/* Linux lets go of a descriptor even when close fails. */
		say("%s released %s\n", names[f],
		    fcntl(fd[f], F_GETFD) == -1 && errno == EBADF ? "yes" : "no");
	}
	for (int f = 0; f < 2; f++) {
		struct stat st;
		say("%s size %lld\n", names[f],
		    stat(path[f], &st) == 0 ? (long long)st.st_size : -1LL);
	}
	return 0;
}
