/* wrappers.c: the exported functions, generated from calls.def.
 *
 * Every wrapper has the same shape: call through `attempt`, and on
 * failure only, hand over to a cold function that runs the retry
 * series.  The success path is one load, one indirect call and one
 * predictable branch: no lock, no allocation, no shared writes.  The
 * row of read,
 *
 *	CALL(read, READ, ssize_t, (int fd, void *buf, size_t n),
 *	     (fd, buf, n), (fd, 0), FD(fd), REAL, NEG1)
 *
 * becomes, less the empty asm statements (see below; `make
 * show-wrappers` prints every row's code in full):
 *
 *	struct read_args { int fd; void *buf; size_t n; };
 *
 *	static COLD ssize_t read_failed(ssize_t first, struct read_args *saved)
 *	{
 *		int fd = saved->fd; void *buf = saved->buf; size_t n = saved->n;
 *		struct series s;
 *		if (!series_begin(&s, FAMILY_READ, "read", errno, fd, 0,
 *				  NULL, 0, NULL))	// blocking, DEST_FD
 *			return first;
 *		s.target = (struct target){ .kind = TARGET_FD, .fd = fd };
 *		ssize_t r = first;
 *		while (series_retry(&s)) {
 *			r = attempt.read(fd, buf, n);		// AGAIN_REAL
 *			series_attempted(&s, r == -1 ? errno : 0);
 *			if (r != -1)
 *				break;
 *		}
 *		series_end(&s);
 *		return r;				// END_REAL
 *	}
 *
 *	EXPORT ssize_t read(int fd, void *buf, size_t n)
 *	{
 *		struct read_args saved = { fd, buf, n };
 *		ssize_t r = attempt.read(fd, buf, n);
 *		if (__builtin_expect(r == -1, 0))
 *			return read_failed(r, &saved);
 *		return r;
 *	}
 *
 * The `again` column swaps in connect.h's, sendmsg.h's, bind.h's or
 * open.h's begin, again and end (and for open and openat, variadic.h's
 * prototype), or NEVER's begin that starts no series; `fails` EAI
 * tests r != 0 and takes the code from r, and the
 * resolver's kinds (NULL_H, NEG1_H, R_H) take it from h_errno, or from
 * the _r forms' *h_errnop (their rows name it and `result` so).  Only
 * getaddrinfo does anything after a success (SUCCEEDED).
 *
 * The arguments must outlive the call for a retry.  Left to itself the
 * compiler keeps each in a callee-saved register (push, move and pop:
 * 3 instructions per argument, 25 for sendto); copying them to the
 * stack first costs one store each, and only the cold path reads them
 * back.  The empty asm makes that copy real.  `make bench-budget`
 * counts the result. */
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>

#include "../common/attributes.h"
#include "../config/errnames.h"
#include "addrlist.h"
#include "bind.h"
#include "connect.h"
#include "open.h"
#include "real.h"
#include "sendmsg.h"
#include "series.h"
#include "target.h"
#include "variadic.h"

/* FAILED_x(r, a): whether r is a failure, `a` pointing at the saved
 * arguments (read back from the stack: one load, where keeping a
 * parameter in a callee-saved register across the call costs three). */
#define FAILED_NEG1(r, a) ((r) == -1)
#define FAILED_EAI(r, a) ((r) != 0)
#define CODE_NEG1(r) errno
#define CODE_EAI(r) (r)
#define FAILED_NULL_H(r, a) ((r) == NULL)
#define FAILED_NEG1_H(r, a) ((r) == -1)
#define FAILED_R_H(r, a) ((r) != 0 || *(a)->result == NULL)
#define CODE_NULL_H(r) herrno_failure(h_errno)
#define CODE_NEG1_H(r) herrno_failure(h_errno)
#define CODE_R_H(r) r_failure(r, *saved->h_errnop)
#define FAILED_NULL_E(r, a) ((r) == NULL && errno != 0)
#define FAILED_R_E(r, a) ((r) != 0)
#define CODE_NULL_E(r) errno
#define CODE_R_E(r) (r)

/* The code of a failure the resolver explains in h_errno; its
 * NETDB_INTERNAL defers to errno. */
static inline int herrno_failure(int h)
{
	if (h >= HOST_NOT_FOUND && h <= NO_DATA)
		return HERRNO_CODE(h);
	return errno ? errno : EIO;
}

/* An _r form's: EAGAIN is h_errno's TRY_AGAIN (or another h_errno
 * value) speaking; any other non-zero return is an errno value, ERANGE
 * above all; 0 with no result is a negative answer. */
static inline int r_failure(int r, int h)
{
	if (r == 0 || (r == EAGAIN && h >= HOST_NOT_FOUND && h <= NO_DATA))
		return herrno_failure(h);
	return r;
}

#define FD(fd_) s.target = (struct target){ .kind = TARGET_FD, .fd = fd_ }
#define SOCKADDR(addr_, len_)                                                 \
	s.target = (struct target){ .kind = TARGET_SOCKADDR, .addr = addr_,   \
				    .len = len_ }
#define HOST(node_, service_)                                                 \
	s.target = (struct target){ .kind = TARGET_HOST, .node = node_,       \
				    .service = service_ }
#define NAME(name_) s.target = (struct target){ .kind = TARGET_NAME, .node = name_ }
#define ID(word_, number_)                                                    \
	s.target = (struct target){ .kind = TARGET_ID, .node = word_,         \
				    .len = number_ }
#define HOSTADDR(addr_, len_, type_)                                          \
	s.target = (struct target){ .kind = TARGET_HOSTADDR, .bytes = addr_,  \
				    .len = len_, .af = type_ }
#define PATH(path_) s.target = (struct target){ .kind = TARGET_PATH, .node = path_ }
/* The same column, read as what chooses a destination section. */
#define DEST_FD(fd) NULL, 0, NULL
#define DEST_SOCKADDR(addr, len) addr, len, NULL
#define DEST_HOST(node, service) NULL, 0, node
#define DEST_NAME(name) NULL, 0, name
#define DEST_HOSTADDR(addr, len, type) NULL, 0, NULL
#define DEST_ID(word, number) NULL, 0, NULL
#define DEST_PATH(path) NULL, 0, path

#define AGAIN_REAL(name, args) attempt.name args
#define AGAIN_CONNECT(name, args) connect_again(&s, UNPAREN args)
#define AGAIN_SENDMSG(name, args) attempt.name args
#define AGAIN_BIND(name, args) attempt.name args
#define AGAIN_OPEN(name, args) attempt.name args
#define AGAIN_OPEN_MODE(name, args) attempt.name args
#define AGAIN_NEVER(name, args) attempt.name args
/* What the program gets once the series is over. */
#define END_REAL(r) (r)
#define END_CONNECT(r) connect_end(&s, r)
#define END_SENDMSG(r) (r)
#define END_BIND(r) (r)
#define END_OPEN(r) (r)
#define END_OPEN_MODE(r) (r)
#define END_NEVER(r) (r)

/* EACH(m, a, b, c) is m(a) m(b) m(c), for up to 8 arguments. */
#define COUNT(...) COUNT_(__VA_ARGS__, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define COUNT_(a, b, c, d, e, f, g, h, n, ...) n
#define GLUE(a, b) GLUE_(a, b)
#define GLUE_(a, b) a##b
#define EACH(m, ...) GLUE(EACH_, COUNT(__VA_ARGS__))(m, __VA_ARGS__)
#define EACH_1(m, a) m(a)
#define EACH_2(m, a, ...) m(a) EACH_1(m, __VA_ARGS__)
#define EACH_3(m, a, ...) m(a) EACH_2(m, __VA_ARGS__)
#define EACH_4(m, a, ...) m(a) EACH_3(m, __VA_ARGS__)
#define EACH_5(m, a, ...) m(a) EACH_4(m, __VA_ARGS__)
#define EACH_6(m, a, ...) m(a) EACH_5(m, __VA_ARGS__)
#define EACH_7(m, a, ...) m(a) EACH_6(m, __VA_ARGS__)
#define EACH_8(m, a, ...) m(a) EACH_7(m, __VA_ARGS__)
/* A member of the saved arguments, from a parameter; a local read back
 * from them, in the cold path. */
#define MEMBER(declaration) declaration;
#define UNPACK(x) __typeof__(saved->x) x = saved->x;

/* How the series starts; connect may settle a wait-mode call first,
 * and sendmsg and bind leave out what cannot work. */
#define BEGIN_REAL(family, name, first, code, blocking, args, dest)        \
	series_begin(&s, FAMILY_##family, #name, code, UNPAREN blocking,      \
		     UNPAREN dest)
#define BEGIN_CONNECT(family, name, first, code, blocking, args, dest)     \
	connect_begin(&s, UNPAREN args)
#define BEGIN_SENDMSG(family, name, first, code, blocking, args, dest)     \
	sendmsg_begin(&s, code, UNPAREN args)
#define BEGIN_BIND(family, name, first, code, blocking, args, dest)        \
	bind_begin(&s, code, UNPAREN args)
#define OPEN_FLAGS(fd, flags) (flags)
#define BEGIN_OPEN(family, name, first, code, blocking, args, dest)        \
	open_begin(&s, #name, code, OPEN_FLAGS blocking, PATH_OF dest)
#define BEGIN_OPEN_MODE BEGIN_OPEN
#define BEGIN_NEVER(family, name, first, code, blocking, args, dest) false
#define PATH_OF(addr, len, path) path

/* The arguments a wrapper keeps for a retry: struct read_args { int fd;
 * void *buf; size_t n; }, one per row, built from its parameters. */
#define CALL(name, family, type, params, ...)                                 \
	struct name##_args { EACH(MEMBER, UNPAREN params) };
#include "../common/calls.def"
#undef CALL

/* What a success leaves behind, read from the saved arguments: only
 * getaddrinfo's, whose addresses addrlist.c copies for fallthrough (the
 * list is libc's and fresh; `res` was written by the call).  Every other
 * call leaves nothing, the default.  Reading `res` back from the stack
 * costs one load, where keeping it in a callee-saved register across
 * the call costs three. */
static inline void getaddrinfo_succeeded(const struct getaddrinfo_args *a)
{
	addrlist_note(*a->res);
}

static inline void nothing_to_keep(const void *a)
{
	(void)a;
}

#define SUCCEEDED(saved)                                                      \
	_Generic((saved), struct getaddrinfo_args *: getaddrinfo_succeeded,  \
		 default: nothing_to_keep)(saved)

#define CALL(name, family, type, params, args, blocking, target, again, fails) \
	static COLD type name##_failed(type first, struct name##_args *saved) \
	{                                                                     \
		EACH(UNPACK, UNPAREN args)                                    \
		struct series s;                                              \
		if (!BEGIN_##again(family, name, first, CODE_##fails(first), \
				   blocking, args, (DEST_##target)))          \
			return first;                                         \
		target;                                                       \
		type r = first;                                               \
		while (series_retry(&s)) {                                    \
			r = AGAIN_##again(name, args);                        \
			series_attempted(&s, FAILED_##fails(r, saved) ?       \
						     CODE_##fails(r) : 0);    \
			if (!FAILED_##fails(r, saved))                        \
				break;                                        \
		}                                                             \
		series_end(&s);                                               \
		if (!FAILED_##fails(r, saved))                                \
			SUCCEEDED(saved);                                     \
		return END_##again(r);                                        \
	}                                                                     \
                                                                              \
	static inline ALWAYS_INLINE type name##_entered params                \
	{                                                                     \
		struct name##_args saved = { UNPAREN args };                  \
		__asm__("" : : "m"(saved));                                   \
		type r = attempt.name args;                                   \
		__asm__("" : "+m"(saved));                                    \
		if (__builtin_expect(FAILED_##fails(r, &saved), 0))           \
			return name##_failed(r, &saved);                      \
		SUCCEEDED(&saved);                                            \
		return r;                                                     \
	}                                                                     \
                                                                              \
	EXPORTED_##again(type, name, params)                                  \
	{                                                                     \
		ENTER_##again(name##_entered, args)                           \
	}
#include "../common/calls.def"
#undef CALL
