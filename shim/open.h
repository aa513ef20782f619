/* open.h: how a failed open, openat, creat or fopen starts a series
 * (open.c). */
#ifndef KAIORETRY_OPEN_H
#define KAIORETRY_OPEN_H

#include <stdbool.h>

#include "series.h"

/* series_begin for `call`'s first failure `code` on the program's
 * `path` opened with `flags` (0 for creat and fopen), when the
 * configuration asks for the open family or an [open GLOB] section
 * covers the path. */
bool open_begin(struct series *s, const char *call, int code, int flags,
		const char *path);

#endif
