/* ini.c: splits INI text into sections and entries.
 *
 * A comment starts with '#' or ';' at the start of a line, or after a
 * space or tab inside a value; "a;b" stays one value, so injection rules
 * can use ';' as their separator.  Text after the last newline counts as
 * a line. */
#include "ini.h"

#include <string.h>

#include "values.h"

static size_t comment_start(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((line[i] == '#' || line[i] == ';') &&
		    (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t'))
			return i;
	return len;
}

static void parse_line(const char *line, size_t len, int number,
		       const struct ini_handler *h)
{
	if (len && line[len - 1] == '\r')
		len--;
	if (memchr(line, '\0', len)) {
		h->problem(h->ctx, number, "NUL byte in line");
		return;
	}
	if (len > INI_LINE_MAX) {
		h->problem(h->ctx, number, "line longer than 4096 bytes");
		return;
	}
	len = comment_start(line, len);
	line = trim(line, &len);
	if (len == 0)
		return;

	if (line[0] == '[') {
		if (line[len - 1] != ']') {
			h->problem(h->ctx, number,
				   "section header without closing ']'");
			return;
		}
		size_t name_len = len - 2;
		const char *name = trim(line + 1, &name_len);
		h->section(h->ctx, number, name, name_len);
		return;
	}

	const char *eq = memchr(line, '=', len);
	if (!eq) {
		h->problem(h->ctx, number, "expected 'key = value'");
		return;
	}
	size_t key_len = (size_t)(eq - line);
	size_t value_len = len - key_len - 1;
	const char *key = trim(line, &key_len);
	const char *value = trim(eq + 1, &value_len);
	if (key_len == 0) {
		h->problem(h->ctx, number, "missing key before '='");
		return;
	}
	h->entry(h->ctx, number, key, key_len, value, value_len);
}

void ini_parse(const char *text, size_t len, const struct ini_handler *h)
{
	int number = 1;
	while (len) {
		const char *nl = memchr(text, '\n', len);
		size_t line_len = nl ? (size_t)(nl - text) : len;
		parse_line(text, line_len, number++, h);
		if (!nl)
			break;
		text = nl + 1;
		len -= line_len + 1;
	}
}
