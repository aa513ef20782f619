/* sink_rfc5424.c: RFC 5424 framing for syslog records.
 *
 * RFC 3164 lines carry the series only as text.  With log_format =
 * rfc5424 the header is RFC 5424's (UTC timestamp to the microsecond,
 * no host name: the daemon that receives a local record knows its own)
 * and the facts go in one structured data element,
 * [kaioretry@32473 series="..." call="connect" target="..." try="3"
 * errno="ECONNREFUSED" ...], which rsyslog's mmpstrucdata and
 * syslog-ng's parser turn into fields.  The message follows as before. */
#include "sink_rfc5424.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../config/errnames.h"

void rfc5424_param_value(struct text *t, const char *value, size_t len)
{
	/* A leaf writing in place: the failure path's stack stays small.
	 * An escape that does not fit whole is left out. */
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];
		char esc[5] = { '\\', (char)c };
		size_t n = 1;
		if (c == '"' || c == '\\' || c == ']') {
			n = 2;
		} else if (c < 0x20 || c >= 0x7f) {
			esc[1] = '\\', esc[2] = 'x';
			esc[3] = hex[c >> 4], esc[4] = hex[c & 15];
			n = 5;
		}
		if (t->len + n >= TEXT_MAX)
			break;
		for (size_t k = 0; k < n; k++)
			t->buf[t->len++] = esc[n == 1 ? 1 : k];
	}
	t->buf[t->len] = '\0';
}

static void param(struct text *t, const char *name, const char *value,
		  size_t len)
{
	text_str(t, " ");
	text_str(t, name);
	text_str(t, "=\"");
	rfc5424_param_value(t, value, len);
	text_str(t, "\"");
}

static void string_param(struct text *t, const char *name, const char *value)
{
	if (value)
		param(t, name, value, strlen(value));
}

static void structured_data(struct text *t, const struct record_facts *facts,
			    const struct text *target)
{
	text_str(t, "[" RFC5424_SD_ID);
	string_param(t, "series", facts->series);
	string_param(t, "call", facts->call);
	if (target)
		param(t, "target", target->buf, target->len);
	if (facts->try_number) {
		text_str(t, " try=\"");
		text_uint(t, facts->try_number);
		text_str(t, "\"");
	}
	if (facts->code) {
		const char *name = errname_of(facts->code);
		text_str(t, " errno=\"");
		if (name)
			text_str(t, name);
		else
			text_int(t, facts->code);
		text_str(t, "\"");
	}
	string_param(t, "outcome", facts->outcome);
	string_param(t, "injected", facts->injected);
	string_param(t, "program", program_invocation_short_name);
	text_str(t, "]");
}

void rfc5424_header(struct text *t, int priority,
		    const struct record_facts *facts,
		    const struct text *target)
{
	struct timespec now = { 0, 0 };
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &now);
	text_str(t, "<");
	text_int(t, priority);
	text_str(t, ">1 ");
	text_rfc3339_utc(t, now.tv_sec, (unsigned)(now.tv_nsec / 1000));
	text_str(t, " - kaioretry ");
	text_int(t, (int64_t)syscall(SYS_getpid));
	text_str(t, " - ");
	size_t before_sd = t->len;
	if (facts)
		structured_data(t, facts, target);
	/* A structured element cut short by a full buffer would make the
	 * whole record unparsable: then none. */
	if (!facts || t->len >= TEXT_MAX - 2) {
		t->len = before_sd;
		text_str(t, "-");
	}
	text_str(t, " ");
}
