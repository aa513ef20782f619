/* variadic.h: the prototype of a calls.def row, for open and openat too.
 *
 * <fcntl.h> declares `int open(const char *, int, ...)`: the mode is
 * passed only when O_CREAT or O_TMPFILE asks for one.  Their rows (again
 * column OPEN_MODE) list it as a last parameter `mode_t mode` after one
 * named `flags`, so the saved arguments, the retry and the injector see
 * three plain arguments; every function defined from a row has the
 * prototype PROTOTYPE_<again>(params), variadic for those rows, and
 * reads the mode (ENTER_, TAKE_MODE_) only when the caller had to pass
 * one (va_arg past the caller's arguments reads garbage, or worse),
 * except the exported function where the ABI makes that read free
 * (EXPORTED_).  libc's own function is called with the mode
 * always: an open without O_CREAT ignores it. */
#ifndef KAIORETRY_VARIADIC_H
#define KAIORETRY_VARIADIC_H

#include <fcntl.h>
#include <stdarg.h>
#include <sys/types.h>

/* One test and branch on the success path: O_CREAT, or O_TMPFILE's own
 * bit.  That bit without O_DIRECTORY (which O_TMPFILE includes) is a
 * call the kernel refuses with EINVAL whatever the mode; for it the
 * mode read is the caller's third argument register's spill, never
 * used. */
#ifdef O_TMPFILE
#define NEEDS_MODE(flags) (((flags) & (O_CREAT | (O_TMPFILE & ~O_DIRECTORY))) != 0)
#else
#define NEEDS_MODE(flags) (((flags) & O_CREAT) != 0)
#endif

/* The parameters before the mode, for rows of 3 or 4 parameters. */
#define BEFORE_MODE(...) BEFORE_MODE_(__VA_ARGS__, 4, 3)
#define BEFORE_MODE_(a, b, c, d, n, ...) BEFORE_MODE_##n(a, b, c, d)
#define BEFORE_MODE_3(a, b, c, d) a, b
#define BEFORE_MODE_4(a, b, c, d) a, b, c

#define PROTOTYPE_REAL(params) params
#define PROTOTYPE_CONNECT(params) params
#define PROTOTYPE_SENDMSG(params) params
#define PROTOTYPE_BIND(params) params
#define PROTOTYPE_OPEN(params) params
#define PROTOTYPE_OPEN_MODE(params) (BEFORE_MODE params, ...)
#define PROTOTYPE_NEVER(params) params

/* EXPORTED_<again>(type, name, params): the exported function's head.
 * On x86_64 and aarch64 a variadic argument travels exactly where the
 * same named one would, so there open and openat take the mode as a
 * named parameter, defined under another C name since <fcntl.h>'s
 * prototype is variadic: no va_list on any path, which keeps open's
 * O_CREAT path within the success-path budget.  A mode the caller did
 * not pass is whatever that register holds, and libc's open ignores it
 * as it ignores ours. */
#define EXPORTED_REAL(type, name, params) EXPORT type name params
#define EXPORTED_CONNECT EXPORTED_REAL
#define EXPORTED_SENDMSG EXPORTED_REAL
#define EXPORTED_BIND EXPORTED_REAL
#define EXPORTED_OPEN EXPORTED_REAL
#define EXPORTED_NEVER EXPORTED_REAL
#if defined(__x86_64__) || defined(__aarch64__)
#define EXPORTED_OPEN_MODE(type, name, params)                                \
	EXPORT type name##_with_mode params __asm__(#name);                   \
	EXPORT type name##_with_mode params
#else
#define EXPORTED_OPEN_MODE(type, name, params)                                \
	EXPORT type name PROTOTYPE_OPEN_MODE(params)
#endif

/* ENTER_<again>(entered, args): the body of an exported function,
 * which calls `entered`, the wrapper proper (always inlined), with the
 * row's arguments.  open's reads the mode in a branch of its own: the
 * va_list it sets up costs that branch only. */
#define ENTER_REAL(entered, args) return entered args;
#define ENTER_CONNECT ENTER_REAL
#define ENTER_SENDMSG ENTER_REAL
#define ENTER_BIND ENTER_REAL
#define ENTER_OPEN ENTER_REAL
#define ENTER_NEVER ENTER_REAL
#if defined(__x86_64__) || defined(__aarch64__)
#define ENTER_OPEN_MODE ENTER_REAL
#else
#define ENTER_OPEN_MODE(entered, args)                                        \
	if (NEEDS_MODE(flags)) {                                              \
		va_list ap;                                                   \
		va_start(ap, flags);                                          \
		mode_t mode = va_arg(ap, mode_t);                             \
		va_end(ap);                                                   \
		return entered args;                                          \
	}                                                                     \
	mode_t mode = 0;                                                      \
	return entered args;
#endif

/* TAKE_MODE_<again>: what a function defined from a row (a resolver
 * stub, an injector) starts with: open's mode, as a local `mode`. */
#define TAKE_MODE_REAL
#define TAKE_MODE_CONNECT
#define TAKE_MODE_SENDMSG
#define TAKE_MODE_BIND
#define TAKE_MODE_OPEN
#define TAKE_MODE_NEVER
#define TAKE_MODE_OPEN_MODE                                                   \
	mode_t mode = 0;                                                      \
	if (NEEDS_MODE(flags)) {                                              \
		va_list ap;                                                   \
		va_start(ap, flags);                                          \
		mode = va_arg(ap, mode_t);                                    \
		va_end(ap);                                                   \
	}

#endif
