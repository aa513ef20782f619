/* check_ready.c: the `ready` key's values and sources, and the
 * readiness checks' requests and their reading of answers
 * (shim/ready_protocols.c), byte for byte as the servers send them. */
#include <check.h>
#include <string.h>

#include "config_fixture.h"
#include "inject_spec.h"
#include "ready_key.h"
#include "ready_protocols.h"

#define S(text) text, strlen(text)

START_TEST(values)
{
	struct ready_check c;
	ck_assert_ptr_null(parse_ready(S(" Postgres "), &c));
	ck_assert_int_eq(c.protocol, READY_POSTGRES);
	ck_assert_ptr_null(parse_ready(S("redis"), &c));
	ck_assert_int_eq(c.protocol, READY_REDIS);
	ck_assert_ptr_null(parse_ready(S("tcp"), &c));
	ck_assert_int_eq(c.protocol, READY_TCP);
	ck_assert_ptr_null(parse_ready(S("http"), &c));
	ck_assert_int_eq(c.protocol, READY_HTTP);
	ck_assert_str_eq(c.path, "/");
	ck_assert_ptr_null(parse_ready(S("http:/health?full=1"), &c));
	ck_assert_str_eq(c.path, "/health?full=1");
	ck_assert_ptr_nonnull(parse_ready(S("http:health"), &c));
	ck_assert_ptr_nonnull(parse_ready(S("http:/a b"), &c));
	ck_assert_ptr_nonnull(parse_ready(S("http:/a\r\nX-Evil: 1"), &c));
	ck_assert_ptr_nonnull(parse_ready(S("http:"), &c));
	ck_assert_ptr_nonnull(parse_ready(S("mysql"), &c));
	ck_assert_ptr_nonnull(parse_ready(S(""), &c));
	char long_path[200] = "http:/";
	memset(long_path + 6, 'a', 150);
	ck_assert_ptr_nonnull(parse_ready(long_path, strlen(long_path), &c));
}
END_TEST

START_TEST(connect_only_and_every_source)
{
	char *env[] = { "KAIORETRY_CONNECT_READY=postgres", NULL };
	load(env);
	ck_assert(!cfg.pass_through);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].ready.protocol,
			 READY_POSTGRES);
	ck_assert_int_eq(cfg.policy[FAMILY_READ].ready.protocol, READY_TCP);

	char *generic[] = { "KAIORETRY_READY=redis", NULL };
	load(generic);
	ck_assert(!cfg.pass_through);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].ready.protocol, READY_REDIS);

	char *wrong[] = { "KAIORETRY_GETADDRINFO_READY=redis", NULL };
	load(wrong);
	ck_assert(cfg.pass_through);
	ck_assert(has_problem("ready applies to connect only"));

	const char *ini = "[connect]\nready = http:/up\n"
			  "[connect *:5432]\nready = postgres\n"
			  "[connect unix:/run/redis/*]\nready = redis\n";
	config_check_text(&cfg, "t.ini", ini, strlen(ini));
	ck_assert_int_eq(cfg.problem_count, 0);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].ready.protocol, READY_HTTP);
	ck_assert_str_eq(cfg.policy[FAMILY_CONNECT].ready.path, "/up");
	ck_assert_int_eq(cfg.destination[0].policy.ready.protocol, READY_POSTGRES);
	ck_assert_int_eq(cfg.destination[1].policy.ready.protocol, READY_REDIS);

	const char *bad = "[getaddrinfo db]\nready = redis\n";
	config_check_text(&cfg, "t.ini", bad, strlen(bad));
	ck_assert_int_eq(cfg.problem_count, 1);
}
END_TEST

static enum ready_verdict judge(enum ready_protocol p, const char *answer,
				size_t len, bool complete, char *said)
{
	struct text t = { 0 };
	enum ready_verdict v = ready_judge(p, answer, len, complete, &t);
	strcpy(said, t.buf);
	return v;
}

#define PG_57P03 "E\0\0\0\x68SFATAL\0VFATAL\0C57P03\0" \
		 "Mthe database system is starting up\0Fpostmaster.c\0" \
		 "L2344\0RProcessStartupPacket\0\0"

START_TEST(postgres)
{
	struct ready_check c = { .protocol = READY_POSTGRES };
	char req[READY_REQUEST_MAX], said[TEXT_MAX];
	size_t n = ready_request(&c, "127.0.0.1:5432", req);
	/* Length, protocol 3.0, user, application_name, the final NUL. */
	ck_assert_uint_eq(n, 8 + sizeof("user\0kaioretry\0application_name\0"
					"kaioretry-ready\0"));
	ck_assert_mem_eq(req, "\0\0\0\x39\0\x03\0\0user\0kaioretry\0", 23);
	ck_assert_int_eq(req[n - 1], 0);
	ck_assert_int_eq(req[n - 2], 0);

	ck_assert_int_eq(judge(READY_POSTGRES, PG_57P03, sizeof(PG_57P03) - 1,
			       false, said), VERDICT_NOT_READY);
	ck_assert_str_eq(said, "57P03 the database system is starting up");
	/* Part of the message: more is asked for, until it is complete. */
	ck_assert_int_eq(judge(READY_POSTGRES, PG_57P03, 3, false, said),
			 VERDICT_INCOMPLETE);
	ck_assert_int_eq(judge(READY_POSTGRES, PG_57P03, 40, false, said),
			 VERDICT_INCOMPLETE);
	ck_assert_int_eq(judge(READY_POSTGRES, PG_57P03, 40, true, said),
			 VERDICT_NOT_READY);
	/* An authentication request (MD5), or another error: it serves. */
	ck_assert_int_eq(judge(READY_POSTGRES, S("R\0\0\0\x0c\0\0\0\x05salt"),
			       false, said), VERDICT_READY);
	static const char role[] = "E\0\0\0\x34SFATAL\0C28000\0"
				   "Mrole \"kaioretry\" does not exist\0\0";
	ck_assert_int_eq(judge(READY_POSTGRES, role, sizeof(role) - 1, false,
			       said), VERDICT_READY);
	ck_assert_str_eq(said, "28000 role \"kaioretry\" does not exist");
	/* Closed without a word: not ready. */
	ck_assert_int_eq(judge(READY_POSTGRES, "", 0, true, said),
			 VERDICT_NOT_READY);
	ck_assert_int_eq(judge(READY_POSTGRES, "", 0, false, said),
			 VERDICT_INCOMPLETE);
}
END_TEST

START_TEST(redis)
{
	struct ready_check c = { .protocol = READY_REDIS };
	char req[READY_REQUEST_MAX], said[TEXT_MAX];
	size_t n = ready_request(&c, "x", req);
	ck_assert_uint_eq(n, 14);
	ck_assert_mem_eq(req, "*1\r\n$4\r\nPING\r\n", 14);

	ck_assert_int_eq(judge(READY_REDIS, S("+PONG\r\n"), false, said),
			 VERDICT_READY);
	ck_assert_int_eq(judge(READY_REDIS, S("+PO"), false, said),
			 VERDICT_INCOMPLETE);
	ck_assert_int_eq(judge(READY_REDIS, S("-LOADING Redis is loading the "
					      "dataset in memory\r\n"),
			       false, said), VERDICT_NOT_READY);
	ck_assert_str_eq(said, "LOADING Redis is loading the dataset in memory");
	ck_assert_int_eq(judge(READY_REDIS, S("-BUSY Redis is busy running a "
					      "script.\r\n"), false, said),
			 VERDICT_NOT_READY);
	ck_assert_int_eq(judge(READY_REDIS, S("-MASTERDOWN Link with MASTER "
					      "is down\r\n"), false, said),
			 VERDICT_NOT_READY);
	ck_assert_int_eq(judge(READY_REDIS, S("-NOAUTH Authentication "
					      "required.\r\n"), false, said),
			 VERDICT_READY);
	ck_assert_int_eq(judge(READY_REDIS, S("-BUSYKEY x\r\n"), false, said),
			 VERDICT_READY);
	ck_assert_int_eq(judge(READY_REDIS, S("-LOADING"), true, said),
			 VERDICT_NOT_READY);
	/* Control bytes from a server never reach the log as they are. */
	ck_assert_int_eq(judge(READY_REDIS, S("-LOADING a\033b\r\n"), false,
			       said), VERDICT_NOT_READY);
	ck_assert_ptr_null(strchr(said, '\033'));
}
END_TEST

START_TEST(http)
{
	struct ready_check c;
	ck_assert_ptr_null(parse_ready(S("http:/health"), &c));
	char req[READY_REQUEST_MAX], said[TEXT_MAX];
	size_t n = ready_request(&c, "[::1]:8080", req);
	req[n] = '\0';
	ck_assert_str_eq(req, "GET /health HTTP/1.1\r\nHost: [::1]:8080\r\n"
			 "User-Agent: kaioretry-ready\r\nAccept: */*\r\n"
			 "Connection: close\r\n\r\n");

	ck_assert_int_eq(judge(READY_HTTP, S("HTTP/1.0 503 Service Unavailable"
					     "\r\nServer: x\r\n"), false, said),
			 VERDICT_NOT_READY);
	ck_assert_str_eq(said, "503 Service Unavailable");
	ck_assert_int_eq(judge(READY_HTTP, S("HTTP/1.1 500 Oops\r\n"), false,
			       said), VERDICT_NOT_READY);
	ck_assert_int_eq(judge(READY_HTTP, S("HTTP/1.1 200 OK\r\n"), false,
			       said), VERDICT_READY);
	ck_assert_int_eq(judge(READY_HTTP, S("HTTP/1.1 404 Not Found\r\n"),
			       false, said), VERDICT_READY);
	ck_assert_int_eq(judge(READY_HTTP, S("HTTP/1.1 499 x\r\n"), false,
			       said), VERDICT_READY);
	ck_assert_int_eq(judge(READY_HTTP, S("HTTP/1.1 50"), false, said),
			 VERDICT_INCOMPLETE);
	ck_assert_int_eq(judge(READY_HTTP, S("HTTP/2 503\r\n"), false, said),
			 VERDICT_NOT_READY);
	/* Not HTTP at all: the check cannot judge it, so it serves. */
	ck_assert_int_eq(judge(READY_HTTP, S("SSH-2.0-x\r\n"), false, said),
			 VERDICT_READY);
	ck_assert_int_eq(judge(READY_HTTP, "", 0, true, said),
			 VERDICT_NOT_READY);
	ck_assert_str_eq(said, "closed the connection without an answer");
}
END_TEST

START_TEST(injector_rules_for_checks)
{
	struct inject_spec spec = { 0 };
	char why[INJECT_WHY_MAX];
	ck_assert(inject_parse(S("ready:error=ECONNREFUSED:when=1..2"), &spec,
			       why));
	ck_assert_int_eq(spec.count, 1);
	ck_assert(inject_calls_has(&spec.rule[0].calls, INJECT_READY_CHECK));
	ck_assert(!inject_calls_has(&spec.rule[0].calls, INJECT_CALL_connect));
	ck_assert_str_eq(inject_call_name(INJECT_READY_CHECK), "ready");
	/* The connect family's rules stay on connect calls. */
	ck_assert(inject_parse(S("connect:error=ECONNREFUSED"), &spec, why));
	ck_assert(!inject_calls_has(&spec.rule[0].calls, INJECT_READY_CHECK));
	ck_assert(!inject_parse(S("ready:short=3"), &spec, why));
	ck_assert(!inject_parse(S("ready:error=EAI_AGAIN"), &spec, why));
}
END_TEST

Suite *ready_suite(void)
{
	Suite *s = suite_create("ready");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, values);
	tcase_add_test(tc, connect_only_and_every_source);
	tcase_add_test(tc, postgres);
	tcase_add_test(tc, redis);
	tcase_add_test(tc, http);
	tcase_add_test(tc, injector_rules_for_checks);
	suite_add_tcase(s, tc);
	return s;
}
