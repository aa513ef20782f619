/* inject_spec.c: the fault injection spec parser of inject_spec.h.
 *
 * A spec is rules separated by ';'.  A rule is a call or family name,
 * then ':key=value' items: actions error=, delay=, short=, hang=,
 * limit=, rate= and conditions when=, p=, at=, addr=, port=, host=,
 * path= (the time and byte items are read in inject_items.c, the
 * filters addr=, port=, host=, path= in inject_filters.c).  Each item is checked
 * against the calls it names, so a rule that could never act (short=
 * on connect, an EAI_* code on read) is refused here, not ignored. */
#include "inject_parse.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "errnames.h"
#include "values.h"

static const struct {
	const char *name;
	enum family family;
} calls[INJECT_CALL_COUNT] = {
#define CALL(name, family, ...) { #name, FAMILY_##family },
#include "../common/calls.def"
#undef CALL
};

const char *inject_call_name(enum inject_call_id id)
{
	return id == INJECT_READY_CHECK ? "ready" : calls[id].name;
}

static bool parse_when(struct parse *ps, const char *v, size_t len)
{
	struct inject_rule *r = ps->rule;
	size_t i = 0;
	const char *forms = "expected N, N..M, N+, N+S or N..M+S with whole "
			    "numbers from 1";
	if (!inject_counter_at(v, len, &i, &r->when_first))
		return inject_refuse(ps, "when='%.*s': %s", (int)len, v, forms);
	r->when_last = r->when_first;
	r->when_step = 0;
	if (i + 1 < len && v[i] == '.' && v[i + 1] == '.') {
		i += 2;
		if (!inject_counter_at(v, len, &i, &r->when_last))
			return inject_refuse(ps, "when='%.*s': %s", (int)len, v, forms);
		if (r->when_last < r->when_first)
			return inject_refuse(ps, "when='%.*s': the range N..M needs "
				      "N <= M", (int)len, v);
	}
	if (i < len && v[i] == '+') {
		bool range = r->when_last != r->when_first ||
			     memchr(v, '.', i) != NULL;
		i++;
		if (!range)
			r->when_last = INJECT_WHEN_OPEN;
		if (i == len && range)
			return inject_refuse(ps, "when='%.*s': N..M+ needs a step S",
				      (int)len, v);
		if (i < len && !inject_counter_at(v, len, &i, &r->when_step))
			return inject_refuse(ps, "when='%.*s': %s", (int)len, v, forms);
	}
	if (i != len)
		return inject_refuse(ps, "when='%.*s': %s", (int)len, v, forms);
	return true;
}

static bool parse_errors_of(struct parse *ps, const char *v, size_t len)
{
	struct inject_rule *r = ps->rule;
	bool eai_family = r->family == FAMILY_GETADDRINFO;
	bool herrno_family = r->family == FAMILY_RESOLVER;
	while (len) {
		const char *comma = memchr(v, ',', len);
		size_t n = comma ? (size_t)(comma - v) : len;
		size_t nlen = n;
		const char *name = trim(v, &nlen);
		int code = errname_code(name, nlen);
		if (code == 0)
			return inject_refuse(ps, "unknown error name '%.*s' (like "
				      "ECONNREFUSED, EAI_AGAIN for "
				      "getaddrinfo, TRY_AGAIN for resolver)",
				      (int)nlen, name);
		if (herrno_family && !herrno_code_is(code))
			return inject_refuse(ps, "resolver calls fail with h_errno "
				      "names (TRY_AGAIN, HOST_NOT_FOUND, "
				      "NO_RECOVERY, NO_DATA), not %.*s",
				      (int)nlen, name);
		if (eai_family && (code > 0 || herrno_code_is(code)))
			return inject_refuse(ps, "getaddrinfo fails with EAI_* codes, "
				      "not %.*s", (int)nlen, name);
		if (!eai_family && !herrno_family && code < 0)
			return inject_refuse(ps, "%.*s is a %s code; %s "
				      "fails with errno names", (int)nlen, name,
				      herrno_code_is(code) ? "resolver" :
				      "getaddrinfo", family_name(r->family));
		if (r->error_count == INJECT_ERRORS_MAX)
			return inject_refuse(ps, "more than %d errors",
				      INJECT_ERRORS_MAX);
		r->errors[r->error_count++] = code;
		if (comma && n + 1 == len)
			return inject_refuse(ps, "error list ends with a comma");
		v += comma ? n + 1 : n;
		len -= comma ? n + 1 : n;
	}
	if (r->error_count == 0)
		return inject_refuse(ps, "error= needs a name");
	return true;
}

static bool parse_short(struct parse *ps, const char *v, size_t len)
{
	struct inject_rule *r = ps->rule;
	size_t i = 0;
	if (r->family != FAMILY_READ && r->family != FAMILY_WRITE &&
	    r->family != FAMILY_RECV && r->family != FAMILY_SEND)
		return inject_refuse(ps, "short= applies to read, write, recv and "
			      "send calls, not %s", family_name(r->family));
	if (!inject_counter_at(v, len, &i, &r->short_bytes) || i != len)
		return inject_refuse(ps, "short='%.*s': expected a number of bytes "
			      "from 1 (0 would fake an end of file)",
			      (int)len, v);
	return true;
}

static bool parse_p(struct parse *ps, const char *v, size_t len)
{
	double p;
	const char *why = parse_seconds(v, len, &p);
	if (why || p > 1)
		return inject_refuse(ps, "p='%.*s': expected a probability from 0 to "
			      "1, like p=0.25", (int)len, v);
	ps->rule->p = p;
	return true;
}

static const struct {
	const char *key;
	bool (*parse)(struct parse *, const char *, size_t);
} keys[] = {
	{ "error", parse_errors_of }, { "delay", inject_parse_delay },
	{ "short", parse_short }, { "hang", inject_parse_hang },
	{ "limit", inject_parse_limit }, { "rate", inject_parse_rate },
	{ "when", parse_when }, { "p", parse_p }, { "at", inject_parse_at },
	{ "addr", inject_parse_addr }, { "port", inject_parse_port },
	{ "host", inject_parse_host }, { "path", inject_parse_path },
};

static bool parse_item(struct parse *ps, const char *item, size_t len)
{
	const char *eq = memchr(item, '=', len);
	size_t klen = eq ? (size_t)(eq - item) : len;
	const char *key = trim(item, &klen);
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (strlen(keys[k].key) != klen || memcmp(key, keys[k].key, klen))
			continue;
		if (!eq)
			return inject_refuse(ps, "'%s' needs a value: %s=...",
				      keys[k].key, keys[k].key);
		if (ps->seen[k])
			return inject_refuse(ps, "%s= given twice", keys[k].key);
		ps->seen[k] = true;
		size_t vlen = len - (size_t)(eq + 1 - item);
		const char *v = trim(eq + 1, &vlen);
		if (vlen == 0)
			return inject_refuse(ps, "%s= is empty%s", keys[k].key,
				      keys[k].parse == inject_parse_addr ? " (IPv6 "
				      "goes in brackets: addr=[::1]:80)" : "");
		return keys[k].parse(ps, v, vlen);
	}
	return inject_refuse(ps, "unknown item '%.*s' (expected error, delay, short, "
		      "hang, limit, rate, when, p, at, addr, port, host or path)",
		      (int)(len > 32 ? 32 : len), item);
}

static bool parse_target(struct parse *ps, const char *name, size_t len)
{
	struct inject_rule *r = ps->rule;
	int family = family_by_name(name, len);
	if (family >= 0) {
		r->family = (enum family)family;
		for (int c = 0; c < INJECT_CALL_COUNT; c++)
			if (calls[c].family == r->family)
				inject_calls_add(&r->calls, (unsigned)c);
		return true;
	}
	if (len == 5 && memcmp(name, "ready", 5) == 0) {
		r->family = FAMILY_CONNECT;
		inject_calls_add(&r->calls, INJECT_READY_CHECK);
		return true;
	}
	for (int c = 0; c < INJECT_CALL_COUNT; c++) {
		if (strlen(calls[c].name) == len &&
		    memcmp(calls[c].name, name, len) == 0) {
			r->family = calls[c].family;
			inject_calls_add(&r->calls, (unsigned)c);
			return true;
		}
	}
	return inject_refuse(ps, "unknown call '%.*s' (families: connect accept read "
		      "write recv send getaddrinfo resolver bind nss open disk; "
		      "a call like readv or fsync; or ready)",
		      (int)(len > 32 ? 32 : len), name);
}

/* Splits at ':' outside [brackets] (IPv6 addresses). */
static size_t item_end(const char *text, size_t len)
{
	int depth = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '[')
			depth++;
		else if (text[i] == ']' && depth)
			depth--;
		else if (text[i] == ':' && !depth)
			return i;
	}
	return len;
}

/* addr=IP:PORT holds the separator: a run of digits after an addr=
 * item is its port, not an item of its own. */
static size_t addr_item_end(const char *text, size_t len, size_t end)
{
	size_t klen = end;
	const char *key = trim(text, &klen);
	if (klen < 5 || memcmp(key, "addr=", 5) || end >= len)
		return end;
	size_t i = end + 1;
	while (i < len && is_digit(text[i]))
		i++;
	return i > end + 1 && (i == len || text[i] == ':') ? i : end;
}

/* The actions of a rule make one fault: hang= and limit= fail with
 * error= when it is given, else with their own default. */
static bool actions_agree(struct parse *ps)
{
	struct inject_rule *r = ps->rule;
	bool counted = r->when_first != 1 || r->when_last != INJECT_WHEN_OPEN ||
		       r->when_step || r->p < 1;
	if (r->error_count == 0 && r->delay == 0 && r->short_bytes == 0 &&
	    r->hang == 0 && r->limit == 0 && r->rate == 0)
		return inject_refuse(ps, "no action: add error=NAME, delay=TIME, "
				     "short=BYTES, hang=TIME, limit=BYTES or "
				     "rate=BYTES");
	if (r->error_count && r->short_bytes)
		return inject_refuse(ps, "error= and short= contradict: a failed "
				     "call transfers nothing");
	if (r->hang && (r->delay || r->short_bytes || r->limit || r->rate))
		return inject_refuse(ps, "hang= fails the call; it takes no "
				     "delay=, short=, limit= or rate=");
	if ((r->limit || r->rate) && counted)
		return inject_refuse(ps, "limit= and rate= act on every matching "
				     "call's bytes; when= and p= do not apply");
	if (r->rate && r->error_count && !r->limit)
		return inject_refuse(ps, "error= with rate= needs limit=: a paced "
				     "call does not fail");
	if ((r->hang || r->limit) && r->error_count == 0)
		r->errors[r->error_count++] =
			r->family == FAMILY_GETADDRINFO ? EAI_AGAIN :
			r->family == FAMILY_RESOLVER ? HERRNO_CODE(TRY_AGAIN) :
			r->hang ? ETIMEDOUT : ECONNRESET;
	return true;
}

static bool parse_rule(struct parse *ps, const char *text, size_t len)
{
	struct inject_rule *r = ps->rule;
	*r = (struct inject_rule){ .when_first = 1,
				   .when_last = INJECT_WHEN_OPEN, .p = 1,
				   .at_until_ns = INJECT_AT_OPEN };
	size_t tlen = len < INJECT_RULE_TEXT_MAX - 1 ? len :
		      INJECT_RULE_TEXT_MAX - 1;
	memcpy(r->text, text, tlen);
	r->text[tlen] = '\0';
	for (size_t i = 0; i < tlen; i++)
		if ((unsigned char)r->text[i] < 0x20 || r->text[i] == 0x7f)
			r->text[i] = '?';

	size_t end = item_end(text, len);
	size_t nlen = end;
	const char *name = trim(text, &nlen);
	if (nlen == 0)
		return inject_refuse(ps, "no call named before the first ':'");
	if (!parse_target(ps, name, nlen))
		return false;
	while (end < len) {
		text += end + 1;
		len -= end + 1;
		end = addr_item_end(text, len, item_end(text, len));
		if (!parse_item(ps, text, end))
			return false;
	}
	return actions_agree(ps);
}

bool inject_parse(const char *text, size_t len, struct inject_spec *spec,
		  char why[INJECT_WHY_MAX])
{
	struct inject_rule parsed[INJECT_RULES_MAX];
	struct parse ps = { .why = why };
	int count = 0;
	bool control = false;

	why[0] = '\0';
	while (len) {
		const char *semi = memchr(text, ';', len);
		size_t rlen = semi ? (size_t)(semi - text) : len;
		size_t trimmed = rlen;
		const char *rule = trim(text, &trimmed);
		if (memchr(text, '\0', rlen)) {
			snprintf(why, INJECT_WHY_MAX, "NUL byte in spec");
			return false;
		}
		if (trimmed == 7 && memcmp(rule, "control", 7) == 0) {
			control = true;
		} else if (trimmed) {
			if (count == INJECT_RULES_MAX) {
				snprintf(why, INJECT_WHY_MAX, "more than %d "
					 "rules", INJECT_RULES_MAX);
				return false;
			}
			ps.rule = &parsed[count];
			ps.number = ++count;
			memset(ps.seen, 0, sizeof(ps.seen));
			if (!parse_rule(&ps, rule, trimmed))
				return false;
		}
		text += semi ? rlen + 1 : rlen;
		len -= semi ? rlen + 1 : rlen;
	}
	memcpy(spec->rule, parsed, sizeof(parsed[0]) * (size_t)count);
	spec->count = count;
	spec->control = spec->control || control;
	return true;
}

const char *inject_parse_seed(const char *text, size_t len, uint64_t *seed)
{
	uint64_t v = 0;
	text = trim(text, &len);
	if (len == 0)
		return "empty seed";
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(text[i]))
			return "expected a whole number from 0 to "
			       "18446744073709551615";
		uint64_t digit = (uint64_t)(text[i] - '0');
		if (v > (UINT64_MAX - digit) / 10)
			return "seed above 18446744073709551615";
		v = v * 10 + digit;
	}
	*seed = v;
	return NULL;
}
