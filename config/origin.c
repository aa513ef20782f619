/* origin.c: where a setting came from, as the text --explain and every
 * message show ("path:line", or a variable's name), and copy_cut, the
 * bounded copy that text and the loaders' other names are cut with.
 * An origin is made for every INI line at start-up, where printf's
 * machinery would cost more than the parse and fault in pages of its
 * own, so neither uses it. */
#include "loader.h"

#include <string.h>

void copy_cut(char *out, size_t size, const char *s, size_t len)
{
	if (size == 0)
		return;
	len = strnlen(s, len < size - 1 ? len : size - 1);
	memcpy(out, s, len);
	out[len] = '\0';
}

void origin_at(char *out, size_t size, const char *path, int line)
{
	char digits[16], *d = digits + sizeof(digits);
	unsigned n = line < 0 ? 0u - (unsigned)line : (unsigned)line;
	*--d = '\0';
	do
		*--d = (char)('0' + n % 10);
	while (n /= 10);
	if (line < 0)
		*--d = '-';
	copy_cut(out, size, path, strlen(path));
	size_t used = strlen(out);
	if (used + 1 < size) {
		out[used] = ':';
		copy_cut(out + used + 1, size - used - 1, d, strlen(d));
	}
}
