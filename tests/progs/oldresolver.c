/* oldresolver: one lookup through the resolver older than getaddrinfo,
 * for test_resolver.py.  Prints what libc returned and how long the
 * call took; exit 0 when it answered, 1 when it failed.
 *
 *   oldresolver API NAME [BUFLEN]
 *
 * API: gethostbyname, gethostbyname2, gethostbyname_r (BUFLEN: its
 * buffer, 1024 by default), gethostbyaddr (NAME: an IPv4 address),
 * res_query, res_search, res_nquery, or old_res_query: __res_query as
 * binaries built before glibc 2.34 import it. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The old version, as a binary linked against glibc 2.33 calls it. */
int old_res_query(const char *dname, int class, int type,
		  unsigned char *answer, int anslen);
__asm__(".symver old_res_query, __res_query@GLIBC_2.2.5");

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int hostent_answer_h(const struct hostent *h, int h_err)
{
	if (!h) {
		printf("failed h_errno=%d (%s)\n", h_err, hstrerror(h_err));
		return 1;
	}
	char text[INET6_ADDRSTRLEN];
	if (!h->h_addr_list[0]) {
		printf("answered %s with no address\n", h->h_name);
		return 0;
	}
	inet_ntop(h->h_addrtype, h->h_addr_list[0], text, sizeof(text));
	printf("answered %s %s\n", h->h_name, text);
	return 0;
}

/* Reads h_errno after the call (an argument list may read it before). */
static int hostent_answer(const struct hostent *h)
{
	return hostent_answer_h(h, h_errno);
}

static int dns_answer(int n)
{
	if (n < 0) {
		printf("failed h_errno=%d (%s)\n", h_errno, hstrerror(h_errno));
		return 1;
	}
	printf("answered %d bytes\n", n);
	return 0;
}

static int lookup(const char *api, const char *name, size_t buflen)
{
	unsigned char answer[4096];
	if (strcmp(api, "gethostbyname") == 0)
		return hostent_answer(gethostbyname(name));
	if (strcmp(api, "gethostbyname2") == 0)
		return hostent_answer(gethostbyname2(name, AF_INET));
	if (strcmp(api, "gethostbyaddr") == 0) {
		struct in_addr a;
		if (inet_pton(AF_INET, name, &a) != 1)
			return printf("bad address\n"), 2;
		return hostent_answer(gethostbyaddr(&a, sizeof(a), AF_INET));
	}
	if (strcmp(api, "gethostbyname_r") == 0) {
		struct hostent he, *result = &he;
		char *buf = malloc(buflen);
		int h_err = -12345;
		int rc = gethostbyname_r(name, &he, buf, buflen, &result, &h_err);
		if (rc != 0) {
			printf("failed rc=%d (%s) h_errno=%d\n", rc,
			       strerrorname_np(rc), h_err);
			free(buf);
			return 1;
		}
		int status = hostent_answer_h(result, h_err);
		free(buf);
		return status;
	}
	if (strcmp(api, "res_query") == 0)
		return dns_answer(res_query(name, ns_c_in, ns_t_a, answer,
					    sizeof(answer)));
	if (strcmp(api, "old_res_query") == 0)
		return dns_answer(old_res_query(name, ns_c_in, ns_t_a, answer,
						sizeof(answer)));
	if (strcmp(api, "res_search") == 0)
		return dns_answer(res_search(name, ns_c_in, ns_t_a, answer,
					     sizeof(answer)));
	if (strcmp(api, "res_nquery") == 0) {
		struct __res_state state;
		memset(&state, 0, sizeof(state));
		if (res_ninit(&state) != 0)
			return printf("res_ninit failed\n"), 2;
		int status = dns_answer(res_nquery(&state, name, ns_c_in,
						   ns_t_a, answer,
						   sizeof(answer)));
		res_nclose(&state);
		return status;
	}
	printf("unknown api %s\n", api);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: oldresolver API NAME [BUFLEN]\n");
		return 2;
	}
	size_t buflen = argc > 3 ? strtoul(argv[3], NULL, 10) : 1024;
	double start = now();
	int status = lookup(argv[1], argv[2], buflen);
	printf("took %.3f\n", now() - start);
	return status;
}
