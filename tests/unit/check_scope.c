/* check_scope.c: scoping by program ([program:NAME], programs =) and by
 * destination ([connect PATTERN], [getaddrinfo GLOB]): globs, patterns,
 * the most-specific-match rule and precedence against other sources. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config_fixture.h"
#include "glob.h"

#define S(text) text, strlen(text)

static char ini_path[64];

static void load_ini(const char *text, const char *exe, const char *arg0,
		     char **extra_env)
{
	strcpy(ini_path, "/tmp/kaioretry-unit-XXXXXX");
	int fd = mkstemp(ini_path);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	fchmod(fd, 0644);
	close(fd);
	char var[96];
	snprintf(var, sizeof(var), "KAIORETRY_CONFIG=%s", ini_path);
	char *env[8] = { var };
	for (int i = 0; extra_env && extra_env[i] && i < 6; i++)
		env[i + 1] = extra_env[i];
	struct config_sources src = { .env = env, .program = { exe, arg0 } };
	config_load(&cfg, &src);
	unlink(ini_path);
}

START_TEST(globs)
{
	ck_assert(glob_match(S("psql"), S("psql"), false));
	ck_assert(!glob_match(S("psql"), S("psql2"), false));
	ck_assert(glob_match(S("py*"), S("python3.11"), false));
	ck_assert(glob_match(S("*.internal"), S("db.eu.INTERNAL"), true));
	ck_assert(!glob_match(S("*.internal"), S("db.eu.INTERNAL"), false));
	ck_assert(glob_match(S("/run/*/.s.PGSQL.????"), S("/run/pg/.s.PGSQL.5432"), false));
	ck_assert(!glob_match(S("/run/*/.s.PGSQL.????"), S("/run/pg/.s.PGSQL.543"), false));
	ck_assert(glob_match(S("*a*b*c"), S("xxaxxbxxbxc"), false));
	ck_assert(glob_match(S("*"), S(""), false));
	ck_assert(!glob_match(S("?"), S(""), false));
	ck_assert_int_eq(glob_literals(S("*.internal")), 9);
}
END_TEST

static const struct destination *choose_inet(const char *ip, int port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *in6 = (void *)&ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, ip, &in6->sin6_addr);
		len = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (void *)&ss;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, ip, &in->sin_addr);
		len = sizeof(*in);
	}
	return dest_choose(cfg.destination, cfg.destination_count,
			   FAMILY_CONNECT, (struct sockaddr *)&ss, len, NULL);
}

static int tries_for(const char *ip, int port)
{
	const struct destination *d = choose_inet(ip, port);
	return d ? d->policy.tries : cfg.policy[FAMILY_CONNECT].tries;
}

START_TEST(most_specific_destination_wins)
{
	load_ini("[connect]\ntries = 1\n"
		 "[connect 10.0.0.0/8]\ntries = 8\n"
		 "[connect *:5432]\ntries = 54\n"
		 "[connect 10.1.0.0/16]\ntries = 16\n"
		 "[connect 10.0.0.0/8:5432]\ntries = 85\n"
		 "[connect 10.1.2.3:5432]\ntries = 99\n"
		 "[connect [::1]:6379]\ntries = 61\n"
		 "[connect [fd00::/8]]\ntries = 62\n"
		 "[connect 127.0.0.1:*]\ntries = 7\n", NULL, NULL, NULL);
	ck_assert_msg(!cfg.pass_through, "%s", cfg.problem[0]);
	ck_assert_int_eq(cfg.destination_count, 8);
	ck_assert_int_eq(tries_for("10.1.2.3", 5432), 99);	/* both pinned */
	ck_assert_int_eq(tries_for("10.9.9.9", 5432), 85);	/* both, /8 */
	ck_assert_int_eq(tries_for("10.1.9.9", 80), 16);	/* /16 over /8 */
	ck_assert_int_eq(tries_for("10.9.9.9", 80), 8);
	ck_assert_int_eq(tries_for("192.0.2.1", 5432), 54);	/* port only */
	ck_assert_int_eq(tries_for("192.0.2.1", 80), 1);	/* no match */
	ck_assert_int_eq(tries_for("::1", 6379), 61);
	ck_assert_int_eq(tries_for("::1", 6380), 1);
	ck_assert_int_eq(tries_for("fd12::5", 1), 62);
	ck_assert_int_eq(tries_for("::ffff:10.1.2.3", 5432), 99);  /* mapped */
	ck_assert_int_eq(tries_for("127.0.0.1", 9), 7);
	ck_assert_int_eq(tries_for("127.0.0.2", 9), 1);
	/* A destination starts from its family's policy. */
	ck_assert_int_eq(choose_inet("10.9.9.9", 80)->policy.tries, 8);
	ck_assert(errset_has(&choose_inet("10.9.9.9", 80)->policy.errors, 111));
}
END_TEST

START_TEST(ties_go_to_the_later_section)
{
	load_ini("[connect 10.0.0.0/8]\ntries = 2\n"
		 "[connect 10.0.0.0/8]\ntries = 3\n", NULL, NULL, NULL);
	ck_assert_int_eq(tries_for("10.0.0.1", 1), 3);
}
END_TEST

START_TEST(unix_and_host_destinations)
{
	load_ini("[connect unix:/run/*]\ntries = 2\n"
		 "[connect unix:/run/postgresql/*]\ntries = 3\n"
		 "[connect unix:/run/postgresql/.s.PGSQL.5432]\ntries = 4\n"
		 "[connect unix:@abstract*]\ntries = 5\n"
		 "[getaddrinfo *.internal]\ntries = 6\n"
		 "[getaddrinfo db.internal]\ntries = 7\n", NULL, NULL, NULL);
	ck_assert_msg(!cfg.pass_through, "%s", cfg.problem[0]);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	const char *paths[] = { "/run/x.sock", "/run/postgresql/.s.PGSQL.5433",
				"/run/postgresql/.s.PGSQL.5432" };
	for (int i = 0; i < 3; i++) {
		strcpy(un.sun_path, paths[i]);
		const struct destination *d = dest_choose(
			cfg.destination, cfg.destination_count, FAMILY_CONNECT,
			(struct sockaddr *)&un, sizeof(un), NULL);
		ck_assert_ptr_nonnull(d);
		ck_assert_int_eq(d->policy.tries, i + 2);
	}
	memcpy(un.sun_path, "\0abstract-1", 11);
	const struct destination *d = dest_choose(cfg.destination,
		cfg.destination_count, FAMILY_CONNECT, (struct sockaddr *)&un,
		(socklen_t)(offsetof(struct sockaddr_un, sun_path) + 11), NULL);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->policy.tries, 5);
	d = dest_choose(cfg.destination, cfg.destination_count,
			FAMILY_GETADDRINFO, NULL, 0, "cache.Internal");
	ck_assert_int_eq(d->policy.tries, 6);
	d = dest_choose(cfg.destination, cfg.destination_count,
			FAMILY_GETADDRINFO, NULL, 0, "db.internal");
	ck_assert_int_eq(d->policy.tries, 7);
	ck_assert_ptr_null(dest_choose(cfg.destination, cfg.destination_count,
				       FAMILY_GETADDRINFO, NULL, 0, "example.org"));
	ck_assert_ptr_null(dest_choose(cfg.destination, cfg.destination_count,
				       FAMILY_GETADDRINFO, NULL, 0, NULL));
}
END_TEST

START_TEST(destination_precedence)
{
	char *env[] = { "KAIORETRY_CONNECT_DELAY=0.5", NULL };
	load_ini("[default]\nbackoff = 3\n[connect]\ndelay = 2\nmax_delay = 9\n"
		 "[connect 10.0.0.0/8]\ndelay = 1\ndeadline = 20\n",
		 NULL, NULL, env);
	ck_assert_msg(!cfg.pass_through, "%s", cfg.problem[0]);
	const struct policy *p = &choose_inet("10.0.0.1", 1)->policy;
	ck_assert_double_eq(p->backoff, 3);	/* from [default] */
	ck_assert_double_eq(p->max_delay, 9);	/* from [connect] */
	ck_assert_double_eq(p->deadline, 20);	/* its own */
	ck_assert_double_eq(p->delay, 0.5);	/* the environment wins */
}
END_TEST

static const struct { const char *ini, *needle; } bad_scopes[] = {
	{ "[connect 10.0.0.0/33]\n", "prefix length" },
	{ "[connect 10.0.0.300]\n", "not an IPv4" },
	{ "[connect ::1]\n", "in brackets" },
	{ "[connect 10.0.0.1/8x]\n", "prefix length" },
	{ "[connect 10.0.0.1 5432]\n", "not an IPv4" },
	{ "[connect 10.0.0.1:0]\n", "port number" },
	{ "[connect 10.0.0.1:http]\n", "port number" },
	{ "[connect [10.0.0.1]:80]\n", "brackets are for IPv6" },
	{ "[read 10.0.0.0/8]\n", "only connect, bind, getaddrinfo, resolver and open" },
	{ "[connect 10.0.0.0/8]\nlog = stderr\n", "belongs in [default]" },
	{ "[getaddrinfo *.internal]\nattempt_timeout = 1\n", "connect only" },
	{ "[program:]\n", "needs a NAME" },
	{ "[program:psql/sql]\n", "unknown family" },
	{ "[program:psql]\nprograms = psql\n", "belongs in [default]" },
	{ "[program:other]\ntries = 0\n", "tries=0" },
	{ "programs = /usr/bin/psql\n", "no '/'" },
	{ "[programs:psql]\n", "unknown section" },
};

START_TEST(bad_scopes_rejected)
{
	load_ini(bad_scopes[_i].ini, "probe", "probe", NULL);
	ck_assert(cfg.pass_through);
	ck_assert_msg(has_problem(bad_scopes[_i].needle), "%s -> %s",
		      bad_scopes[_i].ini, cfg.problem[0]);
}
END_TEST

START_TEST(program_sections_apply_to_matching_programs)
{
	const char *ini = "[default]\ntries = 2\n"
			  "[program:psql]\ntries = 5\nlog = stderr\n"
			  "[program:py*/connect]\ntries = 7\n"
			  "[connect]\ndelay = 1\n";
	load_ini(ini, "psql", "psql", NULL);
	ck_assert(!cfg.pass_through);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].tries, 5);
	ck_assert_int_eq(cfg.policy[FAMILY_READ].tries, 5);
	ck_assert_int_eq(cfg.log.sink, SINK_STDERR);
	ck_assert_double_eq(cfg.policy[FAMILY_CONNECT].delay, 1);

	load_ini(ini, "python3.11", "/usr/bin/python3", NULL);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].tries, 7);
	ck_assert_int_eq(cfg.policy[FAMILY_READ].tries, 2);
	ck_assert_int_eq(cfg.log.sink, SINK_SYSLOG);

	load_ini(ini, "nginx", "nginx: worker process", NULL);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].tries, 2);

	/* argv[0] counts as well as the executable. */
	load_ini(ini, "bash", "/opt/bin/psql", NULL);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].tries, 5);

	/* The environment still wins over a program section. */
	char *env[] = { "KAIORETRY_TRIES=3", NULL };
	load_ini(ini, "psql", "psql", env);
	ck_assert_int_eq(cfg.policy[FAMILY_CONNECT].tries, 3);
}
END_TEST

START_TEST(programs_key_limits_the_shim)
{
	load_ini("programs = psql, py*\n", "psql", "psql", NULL);
	ck_assert(!cfg.pass_through);
	load_ini("programs = psql, py*\n", "python3", "python3", NULL);
	ck_assert(!cfg.pass_through);
	load_ini("programs = psql, py*\n", "nginx", "nginx", NULL);
	ck_assert(cfg.pass_through);
	ck_assert(cfg.program_unselected);
	ck_assert_int_eq(cfg.problem_count, 0);	/* not a problem */
	char *env[] = { "KAIORETRY_PROGRAMS=nginx", NULL };
	load_ini("programs = psql\n", "nginx", "nginx", env);
	ck_assert(!cfg.pass_through);
}
END_TEST

START_TEST(targets_for_explain)
{
	struct sockaddr_storage ss;
	socklen_t len;
	const char *node;
	ck_assert(dest_target_parse(FAMILY_CONNECT, "10.1.2.3:5432", &ss, &len, &node));
	ck_assert_int_eq(ss.ss_family, AF_INET);
	ck_assert_int_eq(ntohs(((struct sockaddr_in *)&ss)->sin_port), 5432);
	ck_assert(dest_target_parse(FAMILY_CONNECT, "[::1]:6379", &ss, &len, &node));
	ck_assert_int_eq(ss.ss_family, AF_INET6);
	ck_assert(dest_target_parse(FAMILY_CONNECT, "unix:/run/a.sock", &ss, &len, &node));
	ck_assert_int_eq(ss.ss_family, AF_UNIX);
	ck_assert(!dest_target_parse(FAMILY_CONNECT, "10.0.0.0/8", &ss, &len, &node));
	ck_assert(!dest_target_parse(FAMILY_CONNECT, "db.internal:5432", &ss, &len, &node));
	ck_assert(dest_target_parse(FAMILY_GETADDRINFO, "db.internal", &ss, &len, &node));
	ck_assert_str_eq(node, "db.internal");
}
END_TEST

/* bind is off by default; its own section turns it on where it
 * matches, and `on` naming it turns it on everywhere. */
START_TEST(bind_sections_opt_in)
{
	struct sockaddr_in in = { .sin_family = AF_INET,
				  .sin_port = htons(8080) };
	struct sockaddr_in other = { .sin_family = AF_INET,
				     .sin_port = htons(8081) };
	load_ini("[bind *:8080]\ntries = 4\n[resolver db.*]\ntries = 5\n",
		 NULL, NULL, NULL);
	ck_assert_msg(!cfg.pass_through, "%s", cfg.problem[0]);
	ck_assert(!cfg.policy[FAMILY_BIND].enabled);
	const struct policy *p = config_policy_for(&cfg, FAMILY_BIND,
		(struct sockaddr *)&in, sizeof(in), NULL);
	ck_assert(p->enabled);
	ck_assert_int_eq(p->tries, 4);
	ck_assert(!config_policy_for(&cfg, FAMILY_BIND,
		(struct sockaddr *)&other, sizeof(other), NULL)->enabled);
	ck_assert_int_eq(config_policy_for(&cfg, FAMILY_RESOLVER, NULL, 0,
					   "db.internal")->tries, 5);
	load_ini("on = all, bind\n", NULL, NULL, NULL);
	ck_assert(cfg.policy[FAMILY_BIND].enabled);
	load_ini("on = connect\n[bind unix:/run/x]\n", NULL, NULL, NULL);
	ck_assert(cfg.pass_through);
}
END_TEST

Suite *scope_suite(void)
{
	Suite *s = suite_create("scope");
	TCase *tc = tcase_create("programs and destinations");
	tcase_add_test(tc, globs);
	tcase_add_test(tc, most_specific_destination_wins);
	tcase_add_test(tc, ties_go_to_the_later_section);
	tcase_add_test(tc, unix_and_host_destinations);
	tcase_add_test(tc, destination_precedence);
	tcase_add_loop_test(tc, bad_scopes_rejected, 0,
			    sizeof(bad_scopes) / sizeof(bad_scopes[0]));
	tcase_add_test(tc, program_sections_apply_to_matching_programs);
	tcase_add_test(tc, programs_key_limits_the_shim);
	tcase_add_test(tc, targets_for_explain);
	tcase_add_test(tc, bind_sections_opt_in);
	suite_add_tcase(s, tc);
	return s;
}
