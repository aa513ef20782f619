/* progmem.c: copying the program's memory only when it can be read.
 *
 * A wrapper is handed pointers the program chose.  Until the real call
 * has accepted them they may point anywhere: `connect(fd, (void *)1, 16)`
 * is legal and gets EFAULT, and so must it under the shim, which reads
 * the address to match destinations, fall through an address list and
 * log, often before the kernel has looked (fault injection, EBADF).
 *
 * The test: rt_sigprocmask with an invalid `how` first copies its 8-byte
 * set from user memory, so it answers EFAULT when the kernel cannot read
 * there and EINVAL when it can, and changes nothing either way.  One
 * probe per page the range touches, then a plain copy.  process_vm_readv
 * would copy in one call, but it is in systemd's @debug set: a service
 * with SystemCallFilter=@system-service and no SystemCallErrorNumber= is
 * killed by SIGSYS for calling it, while rt_sigprocmask is in every
 * filter (glibc itself calls it everywhere).  Any other answer (a filter
 * returning EPERM) means "not readable": the shim then reads nothing.
 * A program that unmaps the memory from another thread while its own
 * call is still using it races itself, with or without us. */
#include "progmem.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PROBE_PAGE 4096		/* the smallest page size: never too coarse */
#define PROBE_BYTES (_NSIG / 8)	/* the kernel's sigset_t: 8 bytes */

/* Whether the kernel can read the probe window at p. */
static bool window_readable(uintptr_t p)
{
	long rc = syscall(SYS_rt_sigprocmask, -1, (const void *)p, NULL,
			  (size_t)PROBE_BYTES);
	return rc == -1 && errno == EINVAL;
}

bool progmem_copy(void *dst, const void *src, size_t len)
{
	uintptr_t start = (uintptr_t)src, end = start + len;
	if (len == 0)
		return true;
	if (end < start)
		return false;
	int saved = errno;
	bool readable = true;
	/* Each page the range touches, probed through a window inside that
	 * page (a page's bytes share its protection). */
	for (uintptr_t page = start & ~(uintptr_t)(PROBE_PAGE - 1);
	     readable && page < end; page += PROBE_PAGE) {
		uintptr_t p = page > start ? page : start;
		if (p + PROBE_BYTES > page + PROBE_PAGE)
			p = page + PROBE_PAGE - PROBE_BYTES;
		readable = window_readable(p);
		if (page + PROBE_PAGE < page)
			break;	/* the last page of the address space */
	}
	errno = saved;
	if (readable)
		memcpy(dst, src, len);
	return readable;
}

const struct sockaddr *progmem_sockaddr(struct sockaddr_storage *copy,
					const struct sockaddr *addr,
					socklen_t *len)
{
	socklen_t n = *len < sizeof(*copy) ? *len : sizeof(*copy);
	if (!addr || n < sizeof(sa_family_t) || !progmem_copy(copy, addr, n)) {
		*len = 0;
		return NULL;
	}
	*len = n;
	return (const struct sockaddr *)copy;
}

bool progmem_string(char *dst, size_t size, const char *src)
{
	size_t done = 0;
	dst[0] = '\0';
	if (!src)
		return false;
	while (done < size - 1) {
		uintptr_t at = (uintptr_t)src + done;
		size_t chunk = PROBE_PAGE - (at & (PROBE_PAGE - 1));
		if (chunk > size - 1 - done)
			chunk = size - 1 - done;
		if (!progmem_copy(dst + done, src + done, chunk))
			break;
		size_t len = strnlen(dst + done, chunk);
		done += len;
		dst[done] = '\0';
		if (len < chunk)
			return true;
	}
	dst[done] = '\0';
	return false;
}
