/* check_target.c: the log names an address as inet_ntop would, without
 * calling it (target.c says why). */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "target.h"

static void same_as_inet_ntop(const uint8_t bytes[16])
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(5432) };
	memcpy(&a.sin6_addr, bytes, 16);
	char ip[INET6_ADDRSTRLEN], want[INET6_ADDRSTRLEN + 10];
	inet_ntop(AF_INET6, &a.sin6_addr, ip, sizeof(ip));
	snprintf(want, sizeof(want), "[%s]:5432", ip);
	struct text t = { 0 };
	target_sockaddr(&t, (struct sockaddr *)&a, sizeof(a));
	ck_assert_str_eq(t.buf, want);
}

START_TEST(ipv6_as_inet_ntop)
{
	/* Each 16-bit group is zero, 1, 0xffff or 0xabcd, by a base-4
	 * count: every run of zeros, every place of "::" and of an IPv4
	 * tail, over a spread of the 4^8 patterns. */
	static const unsigned values[] = { 0, 1, 0xffff, 0xabcd };
	for (unsigned n = 0; n < 65536; n += 7) {
		uint8_t b[16];
		for (int g = 0; g < 8; g++) {
			unsigned v = values[(n >> (2 * g)) & 3];
			b[2 * g] = (uint8_t)(v >> 8);
			b[2 * g + 1] = (uint8_t)v;
		}
		same_as_inet_ntop(b);
	}
	uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
	same_as_inet_ntop(mapped);
}
END_TEST

START_TEST(ipv4_and_others)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(80) };
	inet_pton(AF_INET, "10.0.255.7", &a.sin_addr);
	struct text t = { 0 };
	target_sockaddr(&t, (struct sockaddr *)&a, sizeof(a));
	ck_assert_str_eq(t.buf, "10.0.255.7:80");
	t.len = 0;
	struct target fd = { .kind = TARGET_FD, .fd = 7 };
	target_text(&t, &fd);
	ck_assert_str_eq(t.buf, "fd 7");
	t.len = 0;
	struct target host = { .kind = TARGET_HOST, .node = "db\n" };
	target_text(&t, &host);
	ck_assert_str_eq(t.buf, "db\\x0a:*");
}
END_TEST

Suite *target_suite(void)
{
	Suite *s = suite_create("target");
	TCase *tc = tcase_create("target");
	tcase_add_test(tc, ipv6_as_inet_ntop);
	tcase_add_test(tc, ipv4_and_others);
	suite_add_tcase(s, tc);
	return s;
}
