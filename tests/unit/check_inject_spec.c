/* check_inject_spec.c: the fault injection spec parser, pure: every
 * form it takes, and a clear refusal for everything else. */
#include <check.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "inject_spec.h"

static struct inject_spec spec;
static char why[INJECT_WHY_MAX];

static bool parse(const char *text)
{
	memset(&spec, 0, sizeof(spec));
	return inject_parse(text, strlen(text), &spec, why);
}

static bool has(enum inject_call_id id)
{
	return inject_calls_has(&spec.rule[0].calls, id);
}

/* The rule names that call and no other. */
static bool only(enum inject_call_id id)
{
	struct inject_calls one = { { 0 } };
	inject_calls_add(&one, id);
	return memcmp(&one, &spec.rule[0].calls, sizeof(one)) == 0;
}

/* The call numbers from 1 to 30 that a when= selects, as a bit mask. */
static uint64_t selected(const char *when)
{
	char text[64];
	uint64_t mask = 0;
	snprintf(text, sizeof(text), "write:error=EIO:when=%s", when);
	ck_assert_msg(parse(text), "%s: %s", text, why);
	for (uint64_t n = 1; n <= 30; n++)
		if (inject_when_selects(&spec.rule[0], n))
			mask |= (uint64_t)1 << n;
	return mask;
}

#define B(n) ((uint64_t)1 << (n))

START_TEST(when_forms)
{
	ck_assert_uint_eq(selected("3"), B(3));
	ck_assert_uint_eq(selected("2..4"), B(2) | B(3) | B(4));
	ck_assert_uint_eq(selected("28+"), B(28) | B(29) | B(30));
	ck_assert_uint_eq(selected("2+10"), B(2) | B(12) | B(22));
	ck_assert_uint_eq(selected("3..12+4"), B(3) | B(7) | B(11));
	ck_assert_uint_eq(selected("5..5+3"), B(5));
	ck_assert(parse("write:error=EIO"));
	ck_assert(inject_when_selects(&spec.rule[0], 1));
	ck_assert(inject_when_selects(&spec.rule[0], 1000000));
}
END_TEST

START_TEST(rules_and_targets)
{
	ck_assert_msg(parse(" connect : error = ECONNREFUSED : when=1..2 ; "
			    "getaddrinfo:error=EAI_AGAIN,EAI_FAIL:p=0.25 ;"), "%s", why);
	ck_assert_int_eq(spec.count, 2);
	ck_assert(only(INJECT_CALL_connect));
	ck_assert_int_eq(spec.rule[0].errors[0], ECONNREFUSED);
	ck_assert_int_eq(spec.rule[1].error_count, 2);
	ck_assert_int_eq(spec.rule[1].errors[0], EAI_AGAIN);
	ck_assert_int_eq(spec.rule[1].errors[1], EAI_FAIL);
	ck_assert_double_eq(spec.rule[1].p, 0.25);
	ck_assert_str_eq(spec.rule[1].text, "getaddrinfo:error=EAI_AGAIN,EAI_FAIL:p=0.25");

	/* A family covers its calls; a call name only itself. */
	ck_assert(parse("read:error=EIO"));
	ck_assert(has(INJECT_CALL_readv));
	ck_assert(has(INJECT_CALL___read_chk));
	ck_assert(!has(INJECT_CALL_write));
	ck_assert(parse("readv:short=3"));
	ck_assert(only(INJECT_CALL_readv));
	ck_assert_uint_eq(spec.rule[0].short_bytes, 3);
	ck_assert_int_eq(spec.rule[0].family, FAMILY_READ);

	ck_assert(parse("connect:delay=250ms;recv:delay=2s;send:delay=1.5us"));
	ck_assert_double_eq_tol(spec.rule[0].delay, 0.25, 1e-12);
	ck_assert_double_eq_tol(spec.rule[1].delay, 2, 1e-12);
	ck_assert_double_eq_tol(spec.rule[2].delay, 1.5e-6, 1e-15);

	/* The README's recipes. */
	ck_assert(parse("getaddrinfo:host=db.internal:error=EAI_AGAIN:when=1..5"));
	ck_assert(parse("connect:addr=10.0.0.5:5432:error=ECONNREFUSED,ETIMEDOUT:p=0.3"));
	ck_assert(parse("recv:error=ECONNRESET:when=20;read:error=ECONNRESET:when=20"));
	ck_assert(parse("recv:delay=200ms:short=512"));
	ck_assert(parse("gethostbyname:error=TRY_AGAIN"));
	ck_assert(parse("resolver:host=*.internal:error=TRY_AGAIN,NO_RECOVERY"));
	ck_assert(parse("write:path=/var/lib/app/*:error=ENOSPC;fsync:error=EIO"));
	ck_assert_str_eq(spec.rule[0].path, "/var/lib/app/*");
	ck_assert_str_eq(spec.rule[1].path, "");

	/* The disk family: close, fsync, fdatasync, ftruncate (and 64). */
	ck_assert(parse("disk:error=EIO"));
	ck_assert_int_eq(spec.rule[0].family, FAMILY_DISK);
	ck_assert(has(INJECT_CALL_close) && has(INJECT_CALL_fsync) &&
		  has(INJECT_CALL_fdatasync) && has(INJECT_CALL_ftruncate));
	ck_assert(!has(INJECT_CALL_write));
	ck_assert(parse("fdatasync:path=*.db:error=EIO:when=2"));
	ck_assert(only(INJECT_CALL_fdatasync));
	ck_assert(parse("open:path=*.db:error=EMFILE"));
	ck_assert(has(INJECT_CALL_open) && has(INJECT_CALL_fopen) &&
		  has(INJECT_CALL_openat) && !has(INJECT_CALL_close));
	ck_assert_str_eq(spec.rule[0].path, "*.db");

	ck_assert(parse(""));
	ck_assert_int_eq(spec.count, 0);
	ck_assert(parse(" ; ;"));
	ck_assert_int_eq(spec.count, 0);
}
END_TEST

START_TEST(filters)
{
	ck_assert_msg(parse("connect:addr=10.1.2.3:5432:error=ECONNREFUSED"), "%s", why);
	ck_assert_int_eq(spec.rule[0].addr_family, AF_INET);
	ck_assert_mem_eq(spec.rule[0].addr, "\x0a\x01\x02\x03", 4);
	ck_assert_uint_eq(spec.rule[0].port, 5432);
	ck_assert_int_eq(spec.rule[0].errors[0], ECONNREFUSED);

	ck_assert_msg(parse("connect:error=ETIMEDOUT:addr=[::1]:80"), "%s", why);
	ck_assert_int_eq(spec.rule[0].addr_family, AF_INET6);
	ck_assert_int_eq(spec.rule[0].addr[15], 1);
	ck_assert_uint_eq(spec.rule[0].port, 80);

	ck_assert(parse("connect:error=EIO:addr=[fe80::2]"));
	ck_assert_uint_eq(spec.rule[0].port, 0);
	ck_assert(parse("sendto:port=53:error=ENETUNREACH"));
	ck_assert_int_eq(spec.rule[0].addr_family, 0);
	ck_assert_uint_eq(spec.rule[0].port, 53);
	ck_assert(parse("getaddrinfo:host=*.internal:error=EAI_AGAIN"));
	ck_assert_str_eq(spec.rule[0].host, "*.internal");
}
END_TEST

START_TEST(seeds)
{
	uint64_t seed = 0;
	ck_assert_ptr_null(inject_parse_seed("18446744073709551615", 20, &seed));
	ck_assert_uint_eq(seed, UINT64_MAX);
	ck_assert_ptr_null(inject_parse_seed(" 0 ", 3, &seed));
	ck_assert_uint_eq(seed, 0);
	ck_assert_ptr_nonnull(inject_parse_seed("18446744073709551616", 20, &seed));
	ck_assert_ptr_nonnull(inject_parse_seed("-1", 2, &seed));
	ck_assert_ptr_nonnull(inject_parse_seed("0x10", 4, &seed));
	ck_assert_ptr_nonnull(inject_parse_seed("", 0, &seed));
}
END_TEST

static const struct {
	const char *spec;
	const char *message;
} bad[] = {
	{ "conect:error=EIO", "rule 1 'conect:error=EIO': unknown call 'conect'" },
	{ "write:error=EIO;;recvfrm:error=EIO", "rule 2 'recvfrm:error=EIO': unknown call" },
	{ ":error=EIO", "no call named" },
	{ "connect:error=ECONNREFUZED", "unknown error name 'ECONNREFUZED'" },
	{ "connect:error=EAI_AGAIN", "EAI_AGAIN is a getaddrinfo code" },
	{ "getaddrinfo:error=EIO", "getaddrinfo fails with EAI_* codes, not EIO" },
	{ "connect:error=", "error= is empty" },
	{ "connect:error", "'error' needs a value" },
	{ "connect:error=EIO,", "error list ends with a comma" },
	{ "write:error=EIO:when=0", "when='0': expected N, N..M, N+, N+S or N..M+S" },
	{ "write:error=EIO:when=1..", "when='1..'" },
	{ "write:error=EIO:when=4..2", "the range N..M needs N <= M" },
	{ "write:error=EIO:when=2..4+", "N..M+ needs a step S" },
	{ "write:error=EIO:when=2+0", "when='2+0'" },
	{ "write:error=EIO:when=-1", "when='-1'" },
	{ "write:error=EIO:when=1x", "when='1x'" },
	{ "write:error=EIO:when=9999999999999999999", "when='9999999999999999999'" },
	{ "write:error=EIO:p=1.01", "p='1.01': expected a probability from 0 to 1" },
	{ "write:error=EIO:p=-0.5", "p='-0.5'" },
	{ "write:error=EIO:p=nan", "p='nan'" },
	{ "connect:delay=5", "delay='5' needs a unit: ms, s or us" },
	{ "connect:delay=ms", "delay='ms' needs a unit" },
	{ "connect:delay=-5ms", "delay='-5ms': must not be negative" },
	{ "connect:delay=2h", "delay='2h' needs a unit" },
	{ "connect:delay=9999s", "more than an hour" },
	{ "connect:when=1", "no action: add error=NAME, delay=TIME, short=BYTES, hang=TIME, limit=BYTES or rate=BYTES" },
	{ "connect:error=EIO:at=2s", "at='2s': expected START..END or START.." },
	{ "connect:error=EIO:at=2..5", "at='2..5' needs a unit" },
	{ "connect:error=EIO:at=5s..2s", "needs START < END" },
	{ "connect:error=EIO:at=2s..2000ms", "needs START < END" },
	{ "connect:error=EIO:at=-1s..", "at='-1s..': must not be negative" },
	{ "connect:error=EIO:at=..5s", "at='..5s' needs a unit" },
	{ "connect:error=EIO:at=1s..2h", "needs a unit" },
	{ "connect:error=EIO:at=1s..:at=2s..", "at= given twice" },
	{ "connect:delay=5ms..1ms", "the range A..B needs A <= B" },
	{ "connect:delay=5ms..", "needs a unit" },
	{ "connect:hang=1", "hang='1' needs a unit" },
	{ "connect:hang=0s", "a hang of no time" },
	{ "connect:hang=1s:delay=1s", "hang= fails the call; it takes no delay=" },
	{ "connect:limit=10", "limit= applies to read, write, recv and send calls, not connect" },
	{ "getaddrinfo:rate=1k", "rate= applies to read, write, recv and send calls, not getaddrinfo" },
	{ "recv:limit=0", "limit='0': expected a number of bytes from 1" },
	{ "recv:limit=1G", "limit='1G'" },
	{ "recv:rate=k", "rate='k': expected bytes per second" },
	{ "recv:rate=99999999999999999M", "rate='99999999999999999M'" },
	{ "recv:limit=10:when=2", "when= and p= do not apply" },
	{ "recv:rate=10:p=0.5", "when= and p= do not apply" },
	{ "recv:rate=10:error=EIO", "error= with rate= needs limit=" },
	{ "connect", "no action" },
	{ "getaddrinfo:short=5", "short= applies to read, write, recv and send calls, not getaddrinfo" },
	{ "write:short=0", "short='0': expected a number of bytes from 1" },
	{ "write:short=5:error=EIO", "error= and short= contradict" },
	{ "read:addr=1.2.3.4:error=EIO", "addr= filters connect, bind and sendto/sendmsg targets, not read" },
	{ "recv:port=80:error=EIO", "port= filters connect" },
	{ "connect:error=EIO:addr=1.2.3", "'1.2.3' is not an IPv4 address" },
	{ "connect:error=EIO:addr=::1", "IPv6 goes in brackets" },
	{ "connect:error=EIO:addr=[::1", "missing ']'" },
	{ "connect:error=EIO:addr=[1.2.3.4]", "'1.2.3.4' is not an IPv6 address" },
	{ "connect:error=EIO:addr=[::1]x", "expected IP, IP:PORT or [IPv6]:PORT" },
	{ "connect:error=EIO:port=0", "port='0': expected 1..65535" },
	{ "connect:error=EIO:port=65536", "port='65536'" },
	{ "connect:error=EIO:host=db", "host= filters getaddrinfo and resolver names, not connect" },
	{ "gethostbyname:error=EIO", "resolver calls fail with h_errno names" },
	{ "getaddrinfo:error=TRY_AGAIN", "getaddrinfo fails with EAI_* codes, not TRY_AGAIN" },
	{ "connect:error=TRY_AGAIN", "TRY_AGAIN is a resolver code" },
	{ "res_query:short=5", "short= applies to read, write, recv and send calls, not resolver" },
	{ "write:error=EIO:colour=red", "unknown item 'colour=red'" },
	{ "write:error=EIO:p=0.5:p=0.5", "p= given twice" },
	{ "write:error=E1,E2,E3,E4,E5,E6,E7,E8,E9", "unknown error name 'E1'" },
	{ "write:error=EIO,EIO,EIO,EIO,EIO,EIO,EIO,EIO,EIO", "more than 8 errors" },
};

START_TEST(time_and_byte_items)
{
	const struct inject_rule *r = &spec.rule[0];
	ck_assert_msg(parse("connect:error=ECONNREFUSED:at=2s..5s:when=2+2:"
			    "addr=10.0.0.5:5432"), "%s", why);
	ck_assert_uint_eq(r->at_from_ns, 2000000000u);
	ck_assert_uint_eq(r->at_until_ns, 5000000000u);
	ck_assert_uint_eq(r->port, 5432);
	ck_assert_msg(parse("getaddrinfo:error=EAI_AGAIN:at=500ms..:host=db"),
		      "%s", why);
	ck_assert_uint_eq(r->at_from_ns, 500000000u);
	ck_assert_uint_eq(r->at_until_ns, INJECT_AT_OPEN);
	ck_assert(parse("connect:hang=1s"));
	ck_assert(r->hang == 1 && r->error_count == 1 &&
		  r->errors[0] == ETIMEDOUT);
	ck_assert(parse("getaddrinfo:hang=250ms"));
	ck_assert(r->errors[0] == EAI_AGAIN);
	ck_assert(parse("connect:hang=2s:error=ECONNREFUSED:when=1"));
	ck_assert(r->hang == 2 && r->errors[0] == ECONNREFUSED);
	ck_assert(parse("recv:limit=1000"));
	ck_assert(r->limit == 1000 && r->errors[0] == ECONNRESET);
	ck_assert(parse("read:limit=64k:error=EPIPE:rate=2M"));
	ck_assert(r->limit == 64000 && r->rate == 2000000 &&
		  r->errors[0] == EPIPE);
	ck_assert(parse("send:rate=50K"));
	ck_assert(r->rate == 50000 && r->error_count == 0);
	ck_assert(parse("recv:delay=10ms..30ms"));
	ck_assert(r->delay == 0.01 && r->delay_max == 0.03);
	ck_assert(parse("recv:delay=10ms"));
	ck_assert(r->delay == 0.01 && r->delay_max == 0.01);
}
END_TEST

START_TEST(bad_specs)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		spec.count = 7;
		ck_assert_msg(!inject_parse(bad[i].spec, strlen(bad[i].spec),
					    &spec, why), "accepted %s", bad[i].spec);
		ck_assert_msg(strstr(why, bad[i].message), "%s: got \"%s\"",
			      bad[i].spec, why);
		ck_assert_int_eq(spec.count, 7);	/* untouched */
	}
}
END_TEST

START_TEST(too_many_rules_and_nul)
{
	char text[1024] = "";
	for (int i = 0; i <= INJECT_RULES_MAX; i++)
		strcat(text, "write:error=EIO;");
	ck_assert(!parse(text));
	ck_assert_ptr_nonnull(strstr(why, "more than 16 rules"));
	ck_assert(!inject_parse("write:error=EIO\0x", 17, &spec, why));
	ck_assert_ptr_nonnull(strstr(why, "NUL byte"));
}
END_TEST

Suite *inject_spec_suite(void)
{
	Suite *s = suite_create("inject_spec");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, when_forms);
	tcase_add_test(tc, rules_and_targets);
	tcase_add_test(tc, filters);
	tcase_add_test(tc, seeds);
	tcase_add_test(tc, time_and_byte_items);
	tcase_add_test(tc, bad_specs);
	tcase_add_test(tc, too_many_rules_and_nul);
	suite_add_tcase(s, tc);
	return s;
}
