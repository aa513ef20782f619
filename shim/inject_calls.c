/* inject_calls.c: the injectors, one per row of calls.def, all of one
 * shape: decide, then delay, fail, or make the real call (with fewer
 * bytes for short=).
 *
 * The rows differ in their parameters, so what an injector needs from
 * them is found by position and type with _Generic: the second
 * argument is a buffer (read, write, recv, send: the third is its
 * length), an iovec array (readv, writev: the third is the count), a
 * msghdr (recvmsg, sendmsg) or a sockaddr (connect); a const sockaddr
 * fifth argument is sendto's target; a string first argument is
 * getaddrinfo's name.  A new row needs nothing here. */
#include <errno.h>
#include <netdb.h>
#include <stdint.h>

#include "inject.h"
#include "real.h"
#include "target.h"

#define UNPAREN(...) __VA_ARGS__
#define ARG1(a, ...) a
#define ARG2(a, b, ...) b
#define ARG3(a, b, c, ...) c
#define ARG5(...) ARG5_(__VA_ARGS__, 0, 0, 0, 0, 0)
#define ARG5_(a, b, c, d, e, ...) e
#define ARG6(...) ARG6_(__VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define ARG6_(a, b, c, d, e, f, ...) f

#define AS_PTR(x) ((const void *)(uintptr_t)(x))

/* --- what the call is aimed at --- */

typedef void subject_fn(struct inject_subject *, const void *a2, uintptr_t a3,
			const void *a5, uintptr_t a6);

static void subject_none(struct inject_subject *s, const void *a2,
			 uintptr_t a3, const void *a5, uintptr_t a6)
{
	(void)s, (void)a2, (void)a3, (void)a5, (void)a6;
}

static void subject_connect(struct inject_subject *s, const void *a2,
			    uintptr_t a3, const void *a5, uintptr_t a6)
{
	(void)a5, (void)a6;
	s->addr = a2;
	s->addr_len = (socklen_t)a3;
}

static void subject_sendto(struct inject_subject *s, const void *a2,
			   uintptr_t a3, const void *a5, uintptr_t a6)
{
	(void)a2, (void)a3;
	s->addr = a5;
	s->addr_len = (socklen_t)a6;
}

static void subject_sendmsg(struct inject_subject *s, const void *a2,
			    uintptr_t a3, const void *a5, uintptr_t a6)
{
	const struct msghdr *msg = a2;
	(void)a3, (void)a5, (void)a6;
	if (msg) {
		s->addr = msg->msg_name;
		s->addr_len = msg->msg_namelen;
	}
}

#define SUBJECT(s, args)                                                      \
	do {                                                                  \
		subject_fn *fn_ = _Generic(ARG2 args,                        \
			const struct sockaddr *: subject_connect,             \
			const struct msghdr *: subject_sendmsg,               \
			default: _Generic(ARG5 args,                          \
				const struct sockaddr *: subject_sendto,      \
				default: subject_none));                      \
		fn_(s, AS_PTR(ARG2 args), (uintptr_t)(ARG3 args),             \
		    AS_PTR(ARG5 args), (uintptr_t)(ARG6 args));               \
		(s)->host = _Generic(ARG1 args,                               \
			const char *: (const char *)AS_PTR(ARG1 args),        \
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

/* Copies the first `limit` bytes' worth of iov[0..*count) into sh->iov.
 * False when the vector is no longer than that already. */
static bool shorten_vector(struct shortened *sh, const struct iovec *iov,
			   size_t count, uint64_t limit, size_t *new_count)
{
	uint64_t total = 0;
	size_t k = 0;
	for (size_t i = 0; i < count; i++)
		total += iov[i].iov_len;
	if (total <= limit)
		return false;
	for (total = 0; k < count && k < SHORT_IOV_MAX && total < limit; k++) {
		sh->iov[k] = iov[k];
		if (sh->iov[k].iov_len > limit - total)
			sh->iov[k].iov_len = (size_t)(limit - total);
		total += sh->iov[k].iov_len;
	}
	*new_count = k;
	return true;
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
		if (!*msg || !shorten_vector(sh, (*msg)->msg_iov,
					     (*msg)->msg_iovlen, limit, &count))
			return false;
		sh->msg = **msg;
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

#define FAILURE_NEG1(code) (errno = (code), -1)
#define FAILURE_EAI(code) ((code) == EAI_SYSTEM ? (errno = EIO, (code)) : (code))

#define CALL(name, family, type, params, args, blocking, target, again, fails) \
	static type inject_##name params                                      \
	{                                                                     \
		struct inject_subject subject = { .id = INJECT_CALL_##name }; \
		struct inject_decision d;                                     \
		struct shortened sh = { .msg_in = NULL };                     \
		bool nss = FAMILY_##family == FAMILY_GETADDRINFO;             \
		SUBJECT(&subject, args);                                      \
		bool act = inject_decide(&subject, &d);                       \
		if (act && d.delay > 0)                                       \
			inject_sleep(d.delay);                                \
		if (act && d.error) {                                         \
			struct text t = { 0 };                                \
			target;                                               \
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
		return r;                                                     \
	}
#include "calls.def"
#undef CALL

void inject_install(uint64_t calls)
{
	/* getaddrinfo always: its injector keeps NSS's own calls out of
	 * every rule's count. */
	calls |= (uint64_t)1 << INJECT_CALL_getaddrinfo;
#define CALL(name, ...)                                                       \
	if (calls >> INJECT_CALL_##name & 1)                                  \
		__atomic_store_n(&attempt.name, inject_##name,                \
				 __ATOMIC_RELEASE);
#include "calls.def"
#undef CALL
}
