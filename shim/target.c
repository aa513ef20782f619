/* target.c: the describers of target.h.  inet_ntop is used because it
 * neither allocates nor takes locks.  An address is the program's and
 * may be unreadable: it is described from a copy (progmem.h). */
#include "target.h"

#include <arpa/inet.h>
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

void target_sockaddr(struct text *t, const struct sockaddr *program_addr,
		     socklen_t len)
{
	char ip[INET6_ADDRSTRLEN];
	struct sockaddr_storage copy;
	const struct sockaddr *addr = progmem_sockaddr(&copy, program_addr, &len);
	if (!addr) {
		text_str(t, "?");
		return;
	}
	if (addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)addr;
		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		text_str(t, ip);
		text_str(t, ":");
		text_uint(t, ntohs(in->sin_port));
	} else if (addr->sa_family == AF_INET6 &&
		   len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)addr;
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		text_str(t, "[");
		text_str(t, ip);
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
