/* target.c: the describers of target.h.  Addresses are written as
 * inet_ntop writes them, but without it: glibc's formats each part with
 * sprintf, about 2 KiB of stack, and a record may be written by a
 * signal handler on a small alternate stack.  An address is the
 * program's and may be unreadable: it is described from a copy
 * (progmem.h). */
#include "target.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>

#include "progmem.h"

void target_fd(struct text *t, int fd)
{
	text_str(t, "fd ");
	text_int(t, fd);
}

static void unix_path(struct text *t, const struct sockaddr_un *sun,
		      socklen_t len)
{
	size_t max = len > offsetof(struct sockaddr_un, sun_path) ?
		     len - offsetof(struct sockaddr_un, sun_path) : 0;
	if (max > sizeof(sun->sun_path))
		max = sizeof(sun->sun_path);
	if (max && sun->sun_path[0] == '\0') {	/* abstract namespace */
		text_str(t, "unix:@");
		text_escaped(t, sun->sun_path + 1, max - 1);
		return;
	}
	text_str(t, "unix:");
	text_escaped(t, sun->sun_path, strnlen(sun->sun_path, max));
}

static void ipv4(struct text *t, const uint8_t *b)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			text_str(t, ".");
		text_uint(t, b[i]);
	}
}

static void hex_group(struct text *t, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	char digits[4];
	int n = 0;
	do {
		digits[3 - n++] = hex[v & 15];
		v >>= 4;
	} while (v);
	text_mem(t, digits + 4 - n, (size_t)n);
}

/* RFC 5952 as glibc's inet_ntop: the first longest run of two or more
 * zero groups becomes "::"; an IPv4-mapped or -compatible address ends
 * in dotted decimal. */
static void ipv6(struct text *t, const uint8_t *b)
{
	unsigned w[8];
	int best = -1, best_len = 0, run = -1, run_len = 0;
	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
		if (w[i] == 0) {
			if (run < 0)
				run = i, run_len = 0;
			if (++run_len > best_len)
				best = run, best_len = run_len;
		} else {
			run = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				text_str(t, ":");
			continue;
		}
		if (i)
			text_str(t, ":");
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
			ipv4(t, b + 12);
			return;
		}
		hex_group(t, w[i]);
	}
	if (best >= 0 && best + best_len == 8)
		text_str(t, ":");
}

void target_sockaddr(struct text *t, const struct sockaddr *program_addr,
		     socklen_t len)
{
	struct sockaddr_storage copy;
	const struct sockaddr *addr = progmem_sockaddr(&copy, program_addr, &len);
	if (!addr) {
		text_str(t, "?");
		return;
	}
	if (addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)addr;
		ipv4(t, (const uint8_t *)&in->sin_addr);
		text_str(t, ":");
		text_uint(t, ntohs(in->sin_port));
	} else if (addr->sa_family == AF_INET6 &&
		   len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)addr;
		text_str(t, "[");
		ipv6(t, in6->sin6_addr.s6_addr);
		text_str(t, "]:");
		text_uint(t, ntohs(in6->sin6_port));
	} else if (addr->sa_family == AF_UNIX) {
		unix_path(t, (const void *)addr, len);
	} else {
		text_str(t, "family ");
		text_uint(t, addr->sa_family);
	}
}

void target_host(struct text *t, const char *node, const char *service)
{
	if (node)
		text_escaped(t, node, strlen(node));
	else
		text_str(t, "*");
	text_str(t, ":");
	if (service)
		text_escaped(t, service, strlen(service));
	else
		text_str(t, "*");
}

void target_name(struct text *t, const char *name)
{
	if (name)
		text_escaped(t, name, strlen(name));
	else
		text_str(t, "?");
}

void target_id(struct text *t, const char *word, unsigned number)
{
	text_str(t, word);
	text_str(t, " ");
	text_uint(t, number);
}

/* A path is read from a copy: the call may have failed because the
 * pointer is bad.  A long one is cut, and says so. */
void target_path(struct text *t, const char *path)
{
	char copy[256];
	bool whole = progmem_string(copy, sizeof(copy), path);
	if (!whole && !copy[0]) {
		text_str(t, "?");
		return;
	}
	text_escaped(t, copy, strlen(copy));
	if (!whole)
		text_str(t, "...");
}

void target_hostaddr(struct text *t, const void *bytes, socklen_t len,
		     int af)
{
	uint8_t b[16];
	if (af == AF_INET && len == 4 && progmem_copy(b, bytes, 4))
		ipv4(t, b);
	else if (af == AF_INET6 && len == 16 && progmem_copy(b, bytes, 16))
		ipv6(t, b);
	else
		text_str(t, "?");
}

void target_text(struct text *t, const struct target *target)
{
	switch (target->kind) {
	case TARGET_FD:
		target_fd(t, target->fd);
		break;
	case TARGET_SOCKADDR:
		target_sockaddr(t, target->addr, target->len);
		break;
	case TARGET_HOST:
		target_host(t, target->node, target->service);
		break;
	case TARGET_NAME:
		target_name(t, target->node);
		break;
	case TARGET_ID:
		target_id(t, target->node, target->len);
		break;
	case TARGET_HOSTADDR:
		target_hostaddr(t, target->bytes, target->len, target->af);
		break;
	case TARGET_PATH:
		target_path(t, target->node);
		break;
	}
}
