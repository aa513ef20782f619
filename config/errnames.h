/* errnames.h: symbolic error names <-> codes, for errno values and the
 * getaddrinfo EAI_* codes, so configs say ECONNREFUSED instead of 111. */
#ifndef KAIORETRY_ERRNAMES_H
#define KAIORETRY_ERRNAMES_H

#include <stddef.h>

/* Code for the name of `len` bytes at `name`; 0 when unknown.  EAI_*
 * codes are negative, errno values positive. */
int errname_code(const char *name, size_t len);

/* Canonical name of a code, or NULL when none is known. */
const char *errname_of(int code);

/* A short human description ("Connection refused"); never NULL, and
 * never touches locale state, so it is safe inside a retry series. */
const char *errname_describe(int code);

#endif
