/* file.c: reading the INI file, and the checks that make it trusted:
 * a small regular file, owned by root or this process's user, that
 * neither group nor others may write.  The file is read into a static
 * buffer, which is safe because the shim loads its config once. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errnames.h"
#include "loader.h"

#define FILE_MAX 65536

static char file_text[FILE_MAX + 1];

/* Reads a trusted, regular, small file into file_text.  Returns its
 * length, or -1 after recording why not.  The path is looked at before
 * it is opened: opening a device or a FIFO can act (a watchdog arms, a
 * blocked FIFO writer wakes); the open file is checked again, since
 * the path may have changed in between. */
static long read_file(struct config *cfg, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		config_problem(cfg, path, "cannot open: %s", errname_describe(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		config_problem(cfg, path, "not a regular file");
		return -1;
	}
	/* The system call, not open(): in the library that is our own
	 * wrapper (read() below likewise). */
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path,
			      O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		config_problem(cfg, path, "cannot open: %s", errname_describe(errno));
		return -1;
	}
	long len = -1;
	if (fstat(fd, &st) != 0)
		config_problem(cfg, path, "cannot stat: %s", errname_describe(errno));
	else if (!S_ISREG(st.st_mode))
		config_problem(cfg, path, "not a regular file");
	else if (st.st_size > FILE_MAX)
		config_problem(cfg, path, "larger than %d bytes", FILE_MAX);
	else if (st.st_uid != 0 && st.st_uid != geteuid())
		config_problem(cfg, path, "refused: owned by uid %u, neither "
			       "root nor this process's user", st.st_uid);
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		config_problem(cfg, path, "refused: writable by group or "
			       "others (chmod go-w)");
	else
		len = 0;
	while (len >= 0 && len < FILE_MAX) {
		/* The system call, not read(): our own wrapper, whose first
		 * call would look libc's read up. */
		long n = syscall(SYS_read, fd, file_text + len,
				 (size_t)(FILE_MAX - len));
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			config_problem(cfg, path, "cannot read: %s",
				       errname_describe(errno));
			len = -1;
			break;
		}
		len += n;
	}
	syscall(SYS_close, fd);	/* not close(): our wrapper, as read() */
	return len;
}

void load_ini_file(struct loader *ld, const char *path)
{
	long len = read_file(ld->cfg, path);
	if (len >= 0)
		load_ini_text(ld, path, file_text, (size_t)len);
}
