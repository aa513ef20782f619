/* bind.c: which bind failures may start a series.
 *
 * Only a bind to a chosen port of an IPv4 or IPv6 address: that port
 * is the daemon's (a restart whose old instance still holds it, a
 * TIME_WAIT, an address not yet up).  Port 0 asks the kernel for any
 * port, so no wait can help it; an AF_UNIX path in use stays in use
 * until someone removes it.  The family is off unless the
 * configuration asks for it (config/policy.c), so a program that probes
 * for a free port loses no time by default.  The address is the
 * program's: it is read from a copy (progmem.h).  An injected fault
 * always starts its series, as sendmsg's do: injection exercises the
 * policy, and the injector counts on the series to log it. */
#include "bind.h"

#include <errno.h>
#include <netinet/in.h>

#include "log.h"
#include "progmem.h"

static bool names_a_port(const struct sockaddr *program_addr, socklen_t len)
{
	struct sockaddr_storage copy;
	const struct sockaddr *addr = progmem_sockaddr(&copy, program_addr,
						       &len);
	if (!addr)
		return false;
	if (addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		return ((const struct sockaddr_in *)addr)->sin_port != 0;
	if (addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
		return ((const struct sockaddr_in6 *)addr)->sin6_port != 0;
	return false;
}

bool bind_begin(struct series *s, int code, int fd,
		const struct sockaddr *addr, socklen_t len)
{
	int saved = errno;
	bool port = log_fault_injected("bind") || names_a_port(addr, len);
	errno = saved;
	if (!port)
		return false;
	return series_begin(s, FAMILY_BIND, "bind", code, fd, 0, addr, len,
			    NULL);
}
