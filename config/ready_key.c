/* ready_key.c: parsing the `ready` key (see ready_key.h).  An HTTP path
 * goes into a request line as it is, so only the characters a URL path
 * and query may hold are taken: no space, no control byte, nothing that
 * could end the line or add a header. */
#include "ready_key.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "values.h"

static const char *const names[] = {
	[READY_TCP] = "tcp", [READY_POSTGRES] = "postgres",
	[READY_REDIS] = "redis", [READY_HTTP] = "http",
};

const char *ready_protocol_name(enum ready_protocol protocol)
{
	return names[protocol];
}

static bool path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("/-._~!$&'()*+,;=:@%?", c);
}

static const char *parse_path(const char *path, size_t len,
			      struct ready_check *out)
{
	if (len == 0 || path[0] != '/')
		return "the path after http: must start with /";
	if (len >= READY_PATH_MAX)
		return "HTTP path too long";
	for (size_t i = 0; i < len; i++)
		if (!path[i] || !path_char(path[i]))
			return "the HTTP path may hold only URL characters "
			       "(no space or control byte)";
	memcpy(out->path, path, len);
	out->path[len] = '\0';
	return NULL;
}

const char *parse_ready(const char *text, size_t len, struct ready_check *out)
{
	static const char http_prefix[] = "http:";
	const size_t prefix_len = sizeof(http_prefix) - 1;
	struct ready_check check = { .protocol = READY_TCP };
	text = trim(text, &len);
	if (len > prefix_len && strncasecmp(text, http_prefix, prefix_len) == 0) {
		const char *why = parse_path(text + prefix_len,
					     len - prefix_len, &check);
		if (why)
			return why;
		check.protocol = READY_HTTP;
		*out = check;
		return NULL;
	}
	for (size_t p = 0; p < sizeof(names) / sizeof(names[0]); p++) {
		if (!name_is(text, len, names[p]))
			continue;
		check.protocol = (enum ready_protocol)p;
		if (check.protocol == READY_HTTP)
			strcpy(check.path, "/");
		*out = check;
		return NULL;
	}
	return "expected tcp, postgres, redis, http or http:/PATH";
}
