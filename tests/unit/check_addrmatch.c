/* check_addrmatch.c: the record fallthrough keeps of a getaddrinfo list
 * and which addresses come before its last one (shim/addrmatch.c), on
 * lists built by hand. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "addrmatch.h"

#define MAX 12

static struct addrinfo node[MAX];
static struct sockaddr_in6 addr[MAX];

/* A list of "v4:A.B.C.D:PORT" or "v6:ADDR:PORT" entries, in order. */
static const struct addrinfo *list_of(int n, const char *family[],
				      const char *ip[], const int port[])
{
	memset(node, 0, sizeof(node));
	memset(addr, 0, sizeof(addr));
	for (int i = 0; i < n; i++) {
		if (!strcmp(family[i], "v4")) {
			struct sockaddr_in *in = (struct sockaddr_in *)&addr[i];
			in->sin_family = AF_INET;
			in->sin_port = htons((uint16_t)port[i]);
			inet_pton(AF_INET, ip[i], &in->sin_addr);
			node[i].ai_addrlen = sizeof(*in);
		} else {
			addr[i].sin6_family = AF_INET6;
			addr[i].sin6_port = htons((uint16_t)port[i]);
			inet_pton(AF_INET6, ip[i], &addr[i].sin6_addr);
			node[i].ai_addrlen = sizeof(addr[i]);
		}
		node[i].ai_family = addr[i].sin6_family;
		node[i].ai_addr = (struct sockaddr *)&addr[i];
		node[i].ai_next = i + 1 < n ? &node[i + 1] : NULL;
	}
	return n ? node : NULL;
}

static bool before_last_addr(const struct addrinfo *list,
			     const struct sockaddr *target, socklen_t len)
{
	struct addr_record r;
	struct addr_key k;
	addrmatch_record(&r, list);
	return addrmatch_key(&k, target, len) &&
	       addrmatch_place(&r, &k) == ADDR_BEFORE_LAST;
}

static bool before_last(const struct addrinfo *list, const char *ip, int port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons((uint16_t)port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	if (inet_pton(AF_INET, ip, &a4.sin_addr) == 1)
		return before_last_addr(list, (struct sockaddr *)&a4, sizeof(a4));
	inet_pton(AF_INET6, ip, &a6.sin6_addr);
	return before_last_addr(list, (struct sockaddr *)&a6, sizeof(a6));
}

START_TEST(first_of_two_but_not_last)
{
	const char *f[] = { "v4", "v4" }, *ip[] = { "127.0.0.2", "127.0.0.1" };
	const int port[] = { 80, 80 };
	const struct addrinfo *l = list_of(2, f, ip, port);
	ck_assert(before_last(l, "127.0.0.2", 80));
	ck_assert(!before_last(l, "127.0.0.1", 80));
	ck_assert(!before_last(l, "127.0.0.3", 80));
	ck_assert(!before_last(l, "127.0.0.2", 81));	/* another port */
}
END_TEST

START_TEST(repeated_entries_and_families)
{
	/* Without a socktype hint each address comes thrice. */
	const char *f[] = { "v6", "v6", "v6", "v4", "v4", "v4" };
	const char *ip[] = { "::1", "::1", "::1", "127.0.0.1", "127.0.0.1", "127.0.0.1" };
	const int port[] = { 5, 5, 5, 5, 5, 5 };
	const struct addrinfo *l = list_of(6, f, ip, port);
	ck_assert(before_last(l, "::1", 5));
	ck_assert(!before_last(l, "127.0.0.1", 5));
	ck_assert(!before_last(l, "::ffff:127.0.0.1", 5));
}
END_TEST

START_TEST(port_zero_matches_any_port)
{
	const char *f[] = { "v4", "v4" }, *ip[] = { "10.0.0.1", "10.0.0.2" };
	const int port[] = { 0, 0 };
	const struct addrinfo *l = list_of(2, f, ip, port);
	ck_assert(before_last(l, "10.0.0.1", 5432));
	ck_assert(!before_last(l, "10.0.0.2", 5432));
}
END_TEST

START_TEST(an_address_listed_last_too_is_retried)
{
	const char *f[] = { "v4", "v4", "v4" };
	const char *ip[] = { "10.0.0.1", "10.0.0.2", "10.0.0.1" };
	const int port[] = { 1, 1, 1 };
	const struct addrinfo *l = list_of(3, f, ip, port);
	ck_assert(!before_last(l, "10.0.0.1", 1));
	ck_assert(before_last(l, "10.0.0.2", 1));
}
END_TEST

START_TEST(empty_single_and_non_ip)
{
	const char *f[] = { "v4" }, *ip[] = { "10.0.0.1" };
	const int port[] = { 1 };
	ck_assert(!before_last(NULL, "10.0.0.1", 1));
	ck_assert(!before_last(list_of(1, f, ip, port), "10.0.0.1", 1));
	struct sockaddr un = { .sa_family = AF_UNIX };
	ck_assert(!before_last_addr(node, &un, sizeof(un)));
	ck_assert(!before_last_addr(node, NULL, 0));
	/* A family alone is not an address; len is never read past. */
	struct sockaddr_in in = { .sin_family = AF_INET };
	ck_assert(!before_last_addr(node, (struct sockaddr *)&in, 2));
}
END_TEST

START_TEST(only_the_first_distinct_addresses_are_kept)
{
	const char *f[MAX], *ip[MAX];
	int port[MAX];
	char text[MAX][16];
	for (int i = 0; i < MAX; i++) {
		snprintf(text[i], sizeof(text[i]), "10.0.0.%d", i + 1);
		f[i] = "v4", ip[i] = text[i], port[i] = 7;
	}
	const struct addrinfo *l = list_of(MAX, f, ip, port);
	struct addr_record r;
	ck_assert(addrmatch_record(&r, l));
	ck_assert_uint_eq(r.count, ADDRMATCH_KEEP);
	ck_assert(before_last(l, "10.0.0.1", 7));
	ck_assert(before_last(l, text[ADDRMATCH_KEEP - 1], 7));
	/* Past what is kept: not known, so retried as without a list. */
	ck_assert(!before_last(l, text[ADDRMATCH_KEEP], 7));
	ck_assert(!before_last(l, text[MAX - 1], 7));
}
END_TEST

START_TEST(a_torn_count_reads_nothing)
{
	const char *f[] = { "v4", "v4" }, *ip[] = { "10.0.0.1", "10.0.0.2" };
	const int port[] = { 1, 1 };
	struct addr_record r;
	struct addr_key k;
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(1) };
	inet_pton(AF_INET, "10.0.0.1", &in.sin_addr);
	addrmatch_record(&r, list_of(2, f, ip, port));
	addrmatch_key(&k, (struct sockaddr *)&in, sizeof(in));
	ck_assert_int_eq(addrmatch_place(&r, &k), ADDR_BEFORE_LAST);
	r.count = 1000;
	ck_assert_int_eq(addrmatch_place(&r, &k), ADDR_UNLISTED);
}
END_TEST

START_TEST(a_cycle_ends_the_walk)
{
	const char *f[] = { "v4", "v4" }, *ip[] = { "10.0.0.1", "10.0.0.2" };
	const int port[] = { 1, 1 };
	list_of(2, f, ip, port);
	node[1].ai_next = &node[0];
	ck_assert(!before_last(node, "10.0.0.1", 1));
}
END_TEST

Suite *addrmatch_suite(void)
{
	Suite *s = suite_create("addrmatch");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, first_of_two_but_not_last);
	tcase_add_test(tc, repeated_entries_and_families);
	tcase_add_test(tc, port_zero_matches_any_port);
	tcase_add_test(tc, an_address_listed_last_too_is_retried);
	tcase_add_test(tc, empty_single_and_non_ip);
	tcase_add_test(tc, a_cycle_ends_the_walk);
	tcase_add_test(tc, only_the_first_distinct_addresses_are_kept);
	tcase_add_test(tc, a_torn_count_reads_nothing);
	suite_add_tcase(s, tc);
	return s;
}
