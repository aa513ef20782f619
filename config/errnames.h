/* errnames.h: symbolic error names <-> codes, for errno values, the
 * getaddrinfo EAI_* codes and the old resolver's h_errno values, so
 * configs say ECONNREFUSED instead of 111. */
#ifndef KAIORETRY_ERRNAMES_H
#define KAIORETRY_ERRNAMES_H

#include <stddef.h>

/* h_errno values (HOST_NOT_FOUND 1 .. NO_DATA 4) as codes: negative,
 * below every EAI_* code glibc has (-1..-12, -100..-105 would clash;
 * -41..-44 do not). */
#define HERRNO_CODE(h) (-40 - (h))
#define HERRNO_OF(code) (-40 - (code))
static inline int herrno_code_is(int code)
{
	return code <= HERRNO_CODE(1) && code >= HERRNO_CODE(4);
}

/* Code for the name of `len` bytes at `name`; 0 when unknown.  EAI_*
 * and h_errno codes are negative, errno values positive. */
int errname_code(const char *name, size_t len);

/* Canonical name of a code, or NULL when none is known. */
const char *errname_of(int code);

/* A short human description ("Connection refused"); never NULL, and
 * never touches locale state, so it is safe inside a retry series. */
const char *errname_describe(int code);

#endif
