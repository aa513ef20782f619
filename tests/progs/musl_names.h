/* musl_names.h: what the test programs take from glibc and musl lacks,
 * force-included when they are built with musl-gcc (Makefile, "musl").
 * strerrorname_np for the errors the tests print; others print as a
 * number, which no test expects. */
#ifndef MUSL_NAMES_H
#define MUSL_NAMES_H
#include <errno.h>
#include <stdio.h>

static inline const char *strerrorname_np(int code)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
#define NAME(e) { e, #e }
		NAME(EPERM), NAME(ENOENT), NAME(EINTR), NAME(EIO), NAME(EBADF),
		NAME(EAGAIN), NAME(ENOMEM), NAME(EACCES), NAME(EFAULT),
		NAME(EINVAL), NAME(EPIPE), NAME(ENOTSOCK), NAME(EADDRINUSE),
		NAME(EADDRNOTAVAIL), NAME(ENETDOWN), NAME(ENETUNREACH),
		NAME(ECONNABORTED), NAME(ECONNRESET), NAME(ENOBUFS),
		NAME(EISCONN), NAME(ENOTCONN), NAME(ETIMEDOUT),
		NAME(ECONNREFUSED), NAME(EHOSTUNREACH), NAME(EALREADY),
		NAME(EINPROGRESS),
#undef NAME
	};
	static __thread char other[16];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	snprintf(other, sizeof(other), "%d", code);
	return other;
}
#endif
