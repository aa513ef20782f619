/* ready_protocols.c: the requests and the judging of answers (see the
 * header for each protocol's rule). */
#include "ready_protocols.h"

#include <string.h>

/* What a log line quotes of a server's words at most. */
#define SAID_MAX 160

static void quote(struct text *said, const char *words, size_t len)
{
	text_escaped(said, words, len < SAID_MAX ? len : SAID_MAX);
}

/* --- PostgreSQL --- */

#define PG_PROTOCOL_3_0 0x00030000u
#define PG_CANNOT_CONNECT_NOW "57P03"

static void put_be32(char *p, uint32_t v)
{
	p[0] = (char)(v >> 24), p[1] = (char)(v >> 16);
	p[2] = (char)(v >> 8), p[3] = (char)v;
}

static uint32_t get_be32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
	       (uint32_t)u[2] << 8 | u[3];
}

static size_t postgres_request(char *buf)
{
	/* Parameters as NUL-terminated name/value pairs, then a NUL. */
	static const char params[] = "user\0kaioretry\0"
				     "application_name\0kaioretry-ready\0";
	size_t len = 8 + sizeof(params);	/* its NUL ends the list */
	put_be32(buf, (uint32_t)len);
	put_be32(buf + 4, PG_PROTOCOL_3_0);
	memcpy(buf + 8, params, sizeof(params));
	return len;
}

/* The fields of an ErrorResponse body: a type byte, then a
 * NUL-terminated string, until a zero type byte. */
static void postgres_error_fields(const char *body, size_t len,
				  const char **code, size_t *code_len,
				  const char **message, size_t *message_len)
{
	size_t i = 0;
	while (i < len && body[i]) {
		char type = body[i++];
		const char *value = body + i;
		const char *end = memchr(value, '\0', len - i);
		size_t value_len = end ? (size_t)(end - value) : len - i;
		if (type == 'C')
			*code = value, *code_len = value_len;
		else if (type == 'M')
			*message = value, *message_len = value_len;
		i += value_len + 1;
	}
}

static enum ready_verdict postgres_judge(const char *a, size_t len,
					 bool complete, struct text *said)
{
	if (a[0] == 'R') {
		text_str(said, "authentication request");
		return VERDICT_READY;
	}
	if (a[0] != 'E') {
		text_str(said, "an answer other than an error");
		return VERDICT_READY;
	}
	if (len < 5 && !complete)
		return VERDICT_INCOMPLETE;
	size_t whole = len >= 5 ? 1 + (size_t)get_be32(a + 1) : len;
	if (len < whole && !complete)
		return VERDICT_INCOMPLETE;
	const char *body = a + 5, *code = "", *message = "";
	size_t body_len = len > 5 ? (len < whole ? len : whole) - 5 : 0;
	size_t code_len = 0, message_len = 0;
	postgres_error_fields(body, body_len, &code, &code_len, &message,
			      &message_len);
	quote(said, code, code_len);
	text_str(said, " ");
	quote(said, message, message_len);
	return code_len == 5 && memcmp(code, PG_CANNOT_CONNECT_NOW, 5) == 0 ?
	       VERDICT_NOT_READY : VERDICT_READY;
}

/* --- Redis --- */

static size_t redis_request(char *buf)
{
	static const char ping[] = "*1\r\n$4\r\nPING\r\n";
	memcpy(buf, ping, sizeof(ping) - 1);
	return sizeof(ping) - 1;
}

static bool starts_with_word(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);
	return len >= n && memcmp(s, word, n) == 0 &&
	       (len == n || s[n] == ' ' || s[n] == '\r');
}

/* The first line, without its CR LF; NULL while it is incomplete. */
static const char *first_line(const char *a, size_t len, bool complete,
			      size_t *line_len)
{
	const char *lf = memchr(a, '\n', len);
	if (!lf && !complete)
		return NULL;
	*line_len = lf ? (size_t)(lf - a) : len;
	if (*line_len && a[*line_len - 1] == '\r')
		(*line_len)--;
	return a;
}

static enum ready_verdict redis_judge(const char *a, size_t len,
				      bool complete, struct text *said)
{
	size_t n;
	const char *line = first_line(a, len, complete, &n);
	if (!line)
		return VERDICT_INCOMPLETE;
	if (n && line[0] == '-') {
		line++, n--;
		quote(said, line, n);
		return starts_with_word(line, n, "LOADING") ||
		       starts_with_word(line, n, "BUSY") ||
		       starts_with_word(line, n, "MASTERDOWN") ?
		       VERDICT_NOT_READY : VERDICT_READY;
	}
	quote(said, line, n);
	return VERDICT_READY;
}

/* --- HTTP --- */

static size_t http_request(const char *path, const char *host, char *buf)
{
	struct text t = { 0 };
	text_str(&t, "GET ");
	text_str(&t, path);
	text_str(&t, " HTTP/1.1\r\nHost: ");
	text_str(&t, host);
	text_str(&t, "\r\nUser-Agent: kaioretry-ready\r\nAccept: */*\r\n"
		 "Connection: close\r\n\r\n");
	size_t len = t.len < READY_REQUEST_MAX ? t.len : READY_REQUEST_MAX;
	memcpy(buf, t.buf, len);
	return len;
}

/* "HTTP/1.1 503 Service Unavailable": the status, or -1. */
static int http_status(const char *line, size_t n)
{
	const char *sp = memchr(line, ' ', n);
	if (n < 5 || memcmp(line, "HTTP/", 5) != 0 || !sp ||
	    (size_t)(sp - line) + 4 > n)
		return -1;
	int status = 0;
	for (int i = 1; i <= 3; i++) {
		if (sp[i] < '0' || sp[i] > '9')
			return -1;
		status = status * 10 + (sp[i] - '0');
	}
	return status;
}

static enum ready_verdict http_judge(const char *a, size_t len, bool complete,
				     struct text *said)
{
	size_t n;
	const char *line = first_line(a, len, complete, &n);
	if (!line)
		return VERDICT_INCOMPLETE;
	int status = http_status(line, n);
	const char *sp = memchr(line, ' ', n);
	if (sp)
		quote(said, sp + 1, n - (size_t)(sp + 1 - line));
	else
		quote(said, line, n);
	return status >= 500 ? VERDICT_NOT_READY : VERDICT_READY;
}

/* --- both --- */

size_t ready_request(const struct ready_check *check, const char *host,
		     char *buf)
{
	switch (check->protocol) {
	case READY_POSTGRES:
		return postgres_request(buf);
	case READY_REDIS:
		return redis_request(buf);
	case READY_HTTP:
		return http_request(check->path, host, buf);
	case READY_TCP:
		break;
	}
	return 0;
}

enum ready_verdict ready_judge(enum ready_protocol protocol,
			       const char *answer, size_t len, bool complete,
			       struct text *said)
{
	if (len == 0 && complete) {
		text_str(said, "closed the connection without an answer");
		return VERDICT_NOT_READY;
	}
	if (len == 0)
		return VERDICT_INCOMPLETE;
	switch (protocol) {
	case READY_POSTGRES:
		return postgres_judge(answer, len, complete, said);
	case READY_REDIS:
		return redis_judge(answer, len, complete, said);
	case READY_HTTP:
		return http_judge(answer, len, complete, said);
	case READY_TCP:
		break;
	}
	return VERDICT_READY;
}
