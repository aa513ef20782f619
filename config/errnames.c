/* errnames.c: the name tables behind errnames.h.
 *
 * The tables are written out rather than taken from strerrorname_np at
 * run time so that parsing a config is the same on every glibc, and the
 * fuzzers and unit tests see a fixed list.  Aliases (EWOULDBLOCK,
 * EDEADLOCK, ENOTSUP) map to their canonical code. */
#include "errnames.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>

/* Names and texts held in the tables, not pointed to: pointers would
 * need a relocation each at load time and a written page per process. */
struct errname {
	char name[16];
	int code;
};

struct eainame {
	struct errname e;
	char text[44];	/* gai_strerror would translate */
};

#define E(name) { #name, name },
#define D(name, text) { { #name, name }, text },
static const struct errname errno_names[] = {
	E(EPERM)
	E(ENOENT)
	E(ESRCH)
	E(EINTR)
	E(EIO)
	E(ENXIO)
	E(E2BIG)
	E(ENOEXEC)
	E(EBADF)
	E(ECHILD)
	E(EAGAIN)
	E(ENOMEM)
	E(EACCES)
	E(EFAULT)
	E(ENOTBLK)
	E(EBUSY)
	E(EEXIST)
	E(EXDEV)
	E(ENODEV)
	E(ENOTDIR)
	E(EISDIR)
	E(EINVAL)
	E(ENFILE)
	E(EMFILE)
	E(ENOTTY)
	E(ETXTBSY)
	E(EFBIG)
	E(ENOSPC)
	E(ESPIPE)
	E(EROFS)
	E(EMLINK)
	E(EPIPE)
	E(EDOM)
	E(ERANGE)
	E(EDEADLK)
	E(ENAMETOOLONG)
	E(ENOLCK)
	E(ENOSYS)
	E(ENOTEMPTY)
	E(ELOOP)
	E(ENOMSG)
	E(EIDRM)
	E(ECHRNG)
	E(EL2NSYNC)
	E(EL3HLT)
	E(EL3RST)
	E(ELNRNG)
	E(EUNATCH)
	E(ENOCSI)
	E(EL2HLT)
	E(EBADE)
	E(EBADR)
	E(EXFULL)
	E(ENOANO)
	E(EBADRQC)
	E(EBADSLT)
	E(EBFONT)
	E(ENOSTR)
	E(ENODATA)
	E(ETIME)
	E(ENOSR)
	E(ENONET)
	E(ENOPKG)
	E(EREMOTE)
	E(ENOLINK)
	E(EADV)
	E(ESRMNT)
	E(ECOMM)
	E(EPROTO)
	E(EMULTIHOP)
	E(EDOTDOT)
	E(EBADMSG)
	E(EOVERFLOW)
	E(ENOTUNIQ)
	E(EBADFD)
	E(EREMCHG)
	E(ELIBACC)
	E(ELIBBAD)
	E(ELIBSCN)
	E(ELIBMAX)
	E(ELIBEXEC)
	E(EILSEQ)
	E(ERESTART)
	E(ESTRPIPE)
	E(EUSERS)
	E(ENOTSOCK)
	E(EDESTADDRREQ)
	E(EMSGSIZE)
	E(EPROTOTYPE)
	E(ENOPROTOOPT)
	E(EPROTONOSUPPORT)
	E(ESOCKTNOSUPPORT)
	E(EOPNOTSUPP)
	E(EPFNOSUPPORT)
	E(EAFNOSUPPORT)
	E(EADDRINUSE)
	E(EADDRNOTAVAIL)
	E(ENETDOWN)
	E(ENETUNREACH)
	E(ENETRESET)
	E(ECONNABORTED)
	E(ECONNRESET)
	E(ENOBUFS)
	E(EISCONN)
	E(ENOTCONN)
	E(ESHUTDOWN)
	E(ETOOMANYREFS)
	E(ETIMEDOUT)
	E(ECONNREFUSED)
	E(EHOSTDOWN)
	E(EHOSTUNREACH)
	E(EALREADY)
	E(EINPROGRESS)
	E(ESTALE)
	E(EUCLEAN)
	E(ENOTNAM)
	E(ENAVAIL)
	E(EISNAM)
	E(EREMOTEIO)
	E(EDQUOT)
	E(ENOMEDIUM)
	E(EMEDIUMTYPE)
	E(ECANCELED)
	E(ENOKEY)
	E(EKEYEXPIRED)
	E(EKEYREVOKED)
	E(EKEYREJECTED)
	E(EOWNERDEAD)
	E(ENOTRECOVERABLE)
	E(ERFKILL)
	E(EHWPOISON)
	E(EWOULDBLOCK)
	E(EDEADLOCK)
	E(ENOTSUP)
};

static const struct eainame eai_names[] = {
	D(EAI_BADFLAGS, "Bad value for ai_flags")
	D(EAI_NONAME, "Name or service not known")
	D(EAI_AGAIN, "Temporary failure in name resolution")
	D(EAI_FAIL, "Non-recoverable failure in name resolution")
	D(EAI_NODATA, "No address associated with hostname")
	D(EAI_FAMILY, "ai_family not supported")
	D(EAI_SOCKTYPE, "ai_socktype not supported")
	D(EAI_SERVICE, "Servname not supported for ai_socktype")
	D(EAI_ADDRFAMILY, "Address family for hostname not supported")
	D(EAI_MEMORY, "Memory allocation failure")
	D(EAI_SYSTEM, "System error")
	D(EAI_OVERFLOW, "Argument buffer overflow")
	D(EAI_INPROGRESS, "Processing request in progress")
	D(EAI_CANCELED, "Request canceled")
	D(EAI_NOTCANCELED, "Request not canceled")
	D(EAI_ALLDONE, "All requests done")
	D(EAI_INTR, "Interrupted by a signal")
	D(EAI_IDN_ENCODE, "Parameter string not correctly encoded")
};
#undef E
#undef D

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Entry i of either table. */
static const struct errname *entry(int eai, size_t i)
{
	return eai ? &eai_names[i].e : &errno_names[i];
}

static size_t entries(int eai)
{
	return eai ? COUNT(eai_names) : COUNT(errno_names);
}

static int lookup(int eai, const char *name, size_t len)
{
	for (size_t i = 0; i < entries(eai); i++) {
		const struct errname *e = entry(eai, i);
		if (strnlen(e->name, sizeof(e->name)) == len &&
		    memcmp(e->name, name, len) == 0)
			return e->code;
	}
	return 0;
}

int errname_code(const char *name, size_t len)
{
	int code = lookup(0, name, len);
	if (code == 0)
		code = lookup(1, name, len);
	return code;
}

const char *errname_of(int code)
{
	for (size_t i = 0; i < entries(code < 0); i++)
		if (entry(code < 0, i)->code == code)
			return entry(code < 0, i)->name;
	return NULL;
}

const char *errname_describe(int code)
{
	const char *text = NULL;
	if (code >= 0)
#ifdef __GLIBC__
		text = strerrordesc_np(code);	/* untranslated, no locale */
#else
		text = strerror(code);	/* musl's: English without a catalogue */
#endif
	for (size_t i = 0; code < 0 && i < COUNT(eai_names); i++)
		if (eai_names[i].e.code == code)
			text = eai_names[i].text;
	return text ? text : "Unknown error";
}
