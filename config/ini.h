/* ini.h: a tokenizer for kaioretry's INI files.
 *
 * It knows the syntax only (sections, key = value, comments); what the
 * names mean is sections.c's business.  Lines are reported 1-based. */
#ifndef KAIORETRY_INI_H
#define KAIORETRY_INI_H

#include <stddef.h>

#define INI_LINE_MAX 4096

struct ini_handler {
	void *ctx;
	void (*section)(void *ctx, int line, const char *name, size_t len);
	void (*entry)(void *ctx, int line, const char *key, size_t key_len,
		      const char *value, size_t value_len);
	void (*problem)(void *ctx, int line, const char *message);
};

void ini_parse(const char *text, size_t len, const struct ini_handler *h);

#endif
