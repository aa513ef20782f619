/* inject_calls.c: the injectors, one per row of calls.def, all of one
 * shape: decide, then delay, fail, or make the real call (with fewer
 * bytes for short=, limit= and rate=, whose per-descriptor counts
 * inject_toxics.c keeps).
 *
 * The rows differ in their parameters, so what an injector needs from
 * them is found by position and type with _Generic: the second
 * argument is a buffer (read, write, recv, send: the third is its
 * length), an iovec array (readv, writev: the third is the count), a
 * msghdr (recvmsg, sendmsg) or a sockaddr (connect); a const sockaddr
 * fifth argument is sendto's target; a string first argument is the
 * name getaddrinfo or the resolver looks up, and a string after a
 * res_state is res_nquery's.  A new row needs nothing here.
 *
 * An injector runs before the real call has looked at its arguments, so
 * it reads the program's addresses, msghdr and iovec only through
 * progmem.h: a bad pointer is left for the real call to answer (EFAULT,
 * EINVAL), and its rules see no address.
 *
 * A close that fails has still released its descriptor on Linux (the
 * kernel lets go of it before anything can fail), so an injected close
 * failure closes it too: a program that handles the error as it must
 * (by not closing again) leaks nothing.
 *
 * inject_start, at the bottom, turns injection on (inject.c) and
 * installs the injectors; it lives here, above inject.c, so calls only
 * go down. */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdint.h>

#include "../common/attributes.h"
#include "../config/errnames.h"
#include "inject.h"
#include "inject_control.h"
#include "inject_toxics.h"
#include "progmem.h"
#include "real.h"
#include "target.h"

/* What a missing argument reads as (gethostbyname has one): an lvalue
 * of a type no _Generic below selects on, never written. */
static int no_arg;

#define ARG1(a, ...) a
#define ARG2(...) ARG2_(__VA_ARGS__, no_arg, no_arg)
#define ARG2_(a, b, ...) b
#define ARG3(...) ARG3_(__VA_ARGS__, no_arg, no_arg, no_arg)
#define ARG3_(a, b, c, ...) c
#define ARG5(...) ARG5_(__VA_ARGS__, 0, 0, 0, 0, 0)
#define ARG5_(a, b, c, d, e, ...) e
#define ARG6(...) ARG6_(__VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define ARG6_(a, b, c, d, e, f, ...) f

#define AS_PTR(x) ((const void *)(uintptr_t)(x))
/* The descriptor of a call whose first parameter is one, else -1. */
#define FD_OF(args) _Generic(ARG1 args, int: ARG1 args, default: -1)

/* --- what the call is aimed at --- */

typedef void subject_fn(struct inject_subject *,
			struct sockaddr_storage *copy, const void *a2,
			uintptr_t a3, const void *a5, uintptr_t a6);

/* The subject's address: a copy of the program's, or none. */
static void aim(struct inject_subject *s, struct sockaddr_storage *copy,
		const void *addr, socklen_t len)
{
	s->addr = progmem_sockaddr(copy, addr, &len);
	s->addr_len = len;
}

static void subject_none(struct inject_subject *s,
			 struct sockaddr_storage *copy, const void *a2,
			 uintptr_t a3, const void *a5, uintptr_t a6)
{
	(void)s, (void)copy, (void)a2, (void)a3, (void)a5, (void)a6;
}

static void subject_connect(struct inject_subject *s,
			    struct sockaddr_storage *copy, const void *a2,
			    uintptr_t a3, const void *a5, uintptr_t a6)
{
	(void)a5, (void)a6;
	aim(s, copy, a2, (socklen_t)a3);
}

static void subject_sendto(struct inject_subject *s,
			   struct sockaddr_storage *copy, const void *a2,
			   uintptr_t a3, const void *a5, uintptr_t a6)
{
	(void)a2, (void)a3;
	aim(s, copy, a5, (socklen_t)a6);
}

static void subject_sendmsg(struct inject_subject *s,
			    struct sockaddr_storage *copy, const void *a2,
			    uintptr_t a3, const void *a5, uintptr_t a6)
{
	struct msghdr msg;
	(void)a3, (void)a5, (void)a6;
	if (a2 && progmem_copy(&msg, a2, sizeof(msg)))
		aim(s, copy, msg.msg_name, msg.msg_namelen);
}

#define SUBJECT(s, copy, args)                                                \
	do {                                                                  \
		subject_fn *fn_ = _Generic(ARG2 args,                        \
			const struct sockaddr *: subject_connect,             \
			const struct msghdr *: subject_sendmsg,               \
			default: _Generic(ARG5 args,                          \
				const struct sockaddr *: subject_sendto,      \
				default: subject_none));                      \
		fn_(s, copy, AS_PTR(ARG2 args), (uintptr_t)(ARG3 args),       \
		    AS_PTR(ARG5 args), (uintptr_t)(ARG6 args));               \
		(s)->host = _Generic(ARG1 args,                               \
			const char *: (const char *)AS_PTR(ARG1 args),        \
			res_state: (const char *)AS_PTR(ARG2 args),           \
			default: (const char *)NULL);                         \
	} while (0)

/* --- short=: the real call with at most `limit` bytes --- */

enum shape { SHAPE_NONE, SHAPE_BUF, SHAPE_IOV, SHAPE_MSG_IN, SHAPE_MSG_OUT };

#define SHAPE(args) _Generic(ARG2 args,                                       \
	void *: SHAPE_BUF, const void *: SHAPE_BUF,                           \
	const struct iovec *: SHAPE_IOV,                                      \
	struct msghdr *: SHAPE_MSG_IN, const struct msghdr *: SHAPE_MSG_OUT,  \
	default: SHAPE_NONE)

#define SHORT_IOV_MAX 64

struct shortened {
	struct iovec iov[SHORT_IOV_MAX];
	struct msghdr msg;
	struct msghdr *msg_in;		/* recvmsg's, to copy results back */
};

/* Copies the first `limit` bytes' worth of the program's iov[0..count)
 * into sh->iov, reading at most SHORT_IOV_MAX entries of it.  False, and
 * the call left alone, when it asks for no more than that already, or
 * when the real call will refuse the vector (unreadable, too many
 * entries, a length above SSIZE_MAX): it must still say so itself.
 * More than SHORT_IOV_MAX entries are cut at that many, a partial
 * transfer within the limit too. */
static bool shorten_vector(struct shortened *sh, const struct iovec *iov,
			   size_t count, uint64_t limit, size_t *new_count)
{
	size_t k = count < SHORT_IOV_MAX ? count : SHORT_IOV_MAX;
	uint64_t total = 0;
	if (count == 0 || count > IOV_MAX ||
	    !progmem_copy(sh->iov, iov, k * sizeof(*iov)))
		return false;
	for (size_t i = 0; i < k; i++)
		if (sh->iov[i].iov_len > SSIZE_MAX)
			return false;
	for (size_t i = 0; i < k; i++) {
		if (sh->iov[i].iov_len > limit - total) {
			sh->iov[i].iov_len = (size_t)(limit - total);
			*new_count = i + 1;
			return true;
		}
		total += sh->iov[i].iov_len;
	}
	*new_count = k;
	return k < count;
}

/* a2 and a3 point at the call's second and third parameters. */
static bool shorten(enum shape shape, struct shortened *sh, void *a2,
		    void *a3, uint64_t limit)
{
	size_t count;
	sh->msg_in = NULL;
	if (shape == SHAPE_BUF) {
		size_t *n = a3;
		if (*n <= limit)
			return false;
		*n = (size_t)limit;
		return true;
	}
	if (shape == SHAPE_IOV) {
		const struct iovec **iov = a2;
		int *n = a3;
		if (*n <= 0 || !shorten_vector(sh, *iov, (size_t)*n, limit,
					       &count))
			return false;
		*iov = sh->iov;
		*n = (int)count;
		return true;
	}
	if (shape == SHAPE_MSG_IN || shape == SHAPE_MSG_OUT) {
		struct msghdr **msg = a2;
		if (!*msg || !progmem_copy(&sh->msg, *msg, sizeof(sh->msg)) ||
		    !shorten_vector(sh, sh->msg.msg_iov, sh->msg.msg_iovlen,
				    limit, &count))
			return false;
		sh->msg.msg_iov = sh->iov;
		sh->msg.msg_iovlen = count;
		if (shape == SHAPE_MSG_IN)
			sh->msg_in = *msg;
		*msg = &sh->msg;
		return true;
	}
	return false;
}

/* recvmsg wrote its results into our copy: hand them to the program. */
static void shortened_done(struct shortened *sh)
{
	if (!sh->msg_in)
		return;
	sh->msg_in->msg_namelen = sh->msg.msg_namelen;
	sh->msg_in->msg_controllen = sh->msg.msg_controllen;
	sh->msg_in->msg_flags = sh->msg.msg_flags;
}

/* --- the injectors --- */

#define FD(fd) target_fd(&t, fd)
#define SOCKADDR(addr, len) target_sockaddr(&t, addr, len)
#define HOST(node, service) target_host(&t, node, service)
#define NAME(name) target_name(&t, name)
#define HOSTADDR(addr, len, type) target_hostaddr(&t, addr, len, type)
#define ID(word, number) target_id(&t, word, number)
#define PATH(path) target_path(&t, path)

/* The target column, read as the path a path= rule matches: an open's
 * (the fd calls' is found from the descriptor, inject.c). */
#define PATH_ARG_FD(fd) NULL
#define PATH_ARG_SOCKADDR(addr, len) NULL
#define PATH_ARG_HOST(node, service) NULL
#define PATH_ARG_NAME(name) NULL
#define PATH_ARG_HOSTADDR(addr, len, type) NULL
#define PATH_ARG_ID(word, number) NULL
#define PATH_ARG_PATH(path) (path)

#define FAILURE_NEG1(code) (errno = (code), -1)
#define FAILURE_EAI(code) ((code) == EAI_SYSTEM ? (errno = EIO, (code)) : (code))
/* inject_spec.c lets only h_errno names (HERRNO_CODE) reach these; the
 * _r forms say TRY_AGAIN with EAGAIN, an answer with 0 and no result. */
#define FAILURE_NULL_H(code) (h_errno = HERRNO_OF(code), NULL)
#define FAILURE_NEG1_H(code) (h_errno = HERRNO_OF(code), -1)
#define FAILURE_NULL_E(code) (errno = (code), NULL)
#define FAILURE_R_E(code) (*result = NULL, (code))
#define FAILURE_R_H(code)                                                     \
	(*result = NULL, *h_errnop = HERRNO_OF(code),                         \
	 HERRNO_OF(code) == TRY_AGAIN ? EAGAIN : 0)

#define CALL(name, family, type, params, args, blocking, target, again, fails) \
	static type inject_##name PROTOTYPE_##again(params)                   \
	{                                                                     \
		TAKE_MODE_##again                                             \
		struct inject_subject subject = { .id = INJECT_CALL_##name,   \
						  .fd = FD_OF(args),          \
						  .path = PATH_ARG_##target }; \
		struct inject_decision d;                                     \
		struct shortened sh = { .msg_in = NULL };                     \
		struct sockaddr_storage aimed_at;                             \
		bool nss = FAMILY_##family == FAMILY_GETADDRINFO ||           \
			   FAMILY_##family == FAMILY_RESOLVER ||              \
			   FAMILY_##family == FAMILY_NSS;                     \
		SUBJECT(&subject, &aimed_at, args);                           \
		bool act = inject_decide(&subject, &d);                       \
		bool toxic = act && (d.limit || d.rate);                      \
		if (toxic)                                                    \
			inject_toxic_before(&d, FD_OF(args));                 \
		if (act && d.delay > 0)                                       \
			inject_sleep(d.delay);                                \
		if (act && d.error) {                                         \
			struct text t = { 0 };                                \
			target;                                               \
			if (INJECT_CALL_##name == INJECT_CALL_close)          \
				libc.close(FD_OF(args));                      \
			inject_failed(&d, #name, FAMILY_##family,             \
				      UNPAREN blocking, &t);                  \
			return FAILURE_##fails(d.error);                      \
		}                                                             \
		if (act && d.short_bytes &&                                   \
		    shorten(SHAPE(args), &sh, (void *)&ARG2 args,             \
			    (void *)&ARG3 args, d.short_bytes))               \
			inject_shortened(&d);                                 \
		if (nss)                                                      \
			inject_nested_enter();                                \
		type r = libc.name args;                                      \
		if (nss)                                                      \
			inject_nested_leave();                                \
		shortened_done(&sh);                                          \
		if (toxic)                                                    \
			inject_toxic_after(&d, FD_OF(args), (long long)r);    \
		return r;                                                     \
	}
#include "../common/calls.def"
#undef CALL

void inject_start(const struct config *cfg)
{
	struct inject_calls calls = { { 0 } };
	if (!inject_begin(cfg, &calls))
		return;
	inject_toxics_start(cfg);
	inject_report_start(cfg);
	inject_control_start(cfg);
	/* getaddrinfo, the resolver and nss always: their injectors keep
	 * NSS's own calls out of every rule's count. */
#define CALL(name, family, ...)                                               \
	if (FAMILY_##family == FAMILY_GETADDRINFO ||                          \
	    FAMILY_##family == FAMILY_RESOLVER ||                             \
	    FAMILY_##family == FAMILY_NSS)                                    \
		inject_calls_add(&calls, INJECT_CALL_##name);
#include "../common/calls.def"
#undef CALL
#define CALL(name, ...)                                                       \
	if (inject_calls_has(&calls, INJECT_CALL_##name))                     \
		__atomic_store_n(&attempt.name, inject_##name,                \
				 __ATOMIC_RELEASE);
#include "../common/calls.def"
#undef CALL
}
