/* open.c: which failed opens may start a series.
 *
 * The family is off unless the configuration asks for it (`on = open`
 * or an [open GLOB] section, config/policy.c): programs probe for
 * optional files, so under the default configuration a failed open
 * returns at once, before its path is even read.  A failed open did
 * nothing, so calling it again is safe, except for what says the
 * program must see it: EINTR (a handler without SA_RESTART asked the
 * call to stop) and EEXIST (O_CREAT | O_EXCL found the file: the
 * program's lock or "create once" answer), never retried, not even
 * under `errors = all`.  An open with O_NONBLOCK (a FIFO without a
 * reader answers ENXIO) is an event loop's: never slept on.  The path is the program's and may be bad: it
 * is matched from a copy (progmem.h), as written (a relative path is
 * not resolved against the working directory or openat's dirfd).  A
 * path longer than the copy matches no section. */
#include "open.h"

#include <errno.h>
#include <fcntl.h>

#include "progmem.h"
#include "runtime.h"

#define PATH_COPY_MAX 512

/* Whether any failed open could be retried: the family is on, or a
 * section of it exists. */
static bool open_asked_for(const struct config *cfg)
{
	if (!cfg || cfg->pass_through)
		return false;
	if (cfg->policy[FAMILY_OPEN].enabled)
		return true;
	for (int i = 0; i < cfg->destination_count; i++)
		if (cfg->destination[i].family == FAMILY_OPEN)
			return true;
	return false;
}

bool open_begin(struct series *s, const char *call, int code, int flags,
		const char *path)
{
	if (code == EINTR || code == EEXIST || (flags & O_NONBLOCK))
		return false;
	int saved = errno;
	bool asked = open_asked_for(runtime_config());
	char copy[PATH_COPY_MAX];
	bool whole = asked && progmem_string(copy, sizeof(copy), path);
	errno = saved;
	if (!asked)
		return false;
	return series_begin(s, FAMILY_OPEN, call, code, -1, 0, NULL, 0,
			    whole ? copy : NULL);
}
