/* glob.h: shell-style wildcard matching for program names, socket
 * paths and host names: '*' is any run of characters ('/' included),
 * '?' is one character; everything else matches itself.  No
 * allocation, no locale: safe on the retry path and in signal handlers. */
#ifndef KAIORETRY_GLOB_H
#define KAIORETRY_GLOB_H

#include <stdbool.h>
#include <stddef.h>

bool glob_match(const char *pattern, size_t plen, const char *text,
		size_t tlen, bool fold_case);
/* Characters that match only themselves: how specific a glob is. */
size_t glob_literals(const char *pattern, size_t plen);
bool glob_is_literal(const char *pattern, size_t plen);

#endif
