/* progmem.h: reading memory the program pointed us at, without ever
 * faulting on it (progmem.c says how).  Every read the shim makes of a
 * program's argument before or beside the real call goes through here:
 * connect's address, sendmsg's msghdr, readv's vector, open's path. */
#ifndef KAIORETRY_PROGMEM_H
#define KAIORETRY_PROGMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Copies len bytes from the program's `src` to `dst`: true when done,
 * false (nothing copied) when the kernel could not read them either. */
bool progmem_copy(void *dst, const void *src, size_t len);

/* A copy of the address a call was given, at most sizeof(*copy) bytes,
 * with *len set to what was copied; NULL when there is none to read
 * (NULL, shorter than a family, unreadable).  What the shim matches,
 * logs and decides on instead of the program's pointer. */
const struct sockaddr *progmem_sockaddr(struct sockaddr_storage *copy,
					const struct sockaddr *addr,
					socklen_t *len);

/* Copies the program's NUL-terminated string `src` into dst (size >= 1
 * bytes, always terminated), page by page: true when the whole string
 * fit, false when it is longer than size - 1 bytes or runs into memory
 * the kernel cannot read (dst then holds what was read). */
bool progmem_string(char *dst, size_t size, const char *src);

#endif
