/* inject_filters.c: the spec items that filter by what a call is aimed
 * at: addr= and port= (connect, bind, sendto, sendmsg targets), host=
 * (the name getaddrinfo or the resolver looks up) and path= (the file
 * an open names, or a read, write or disk call's descriptor refers to).  Each refuses a
 * family it cannot filter. */
#include "inject_parse.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

static bool parse_port_number(const char *v, size_t len, uint16_t *port)
{
	size_t i = 0;
	uint64_t n;
	if (!inject_counter_at(v, len, &i, &n) || i != len || n > 65535)
		return false;
	*port = (uint16_t)n;
	return true;
}

static bool addr_filter_allowed(struct parse *ps, const char *key)
{
	enum family f = ps->rule->family;
	if (f == FAMILY_CONNECT || f == FAMILY_SEND || f == FAMILY_BIND)
		return true;
	return inject_refuse(ps, "%s= filters connect, bind and sendto/sendmsg "
		      "targets, not %s", key, family_name(f));
}

/* IP, IP:PORT, [IPv6] or [IPv6]:PORT */
bool inject_parse_addr(struct parse *ps, const char *v, size_t len)
{
	struct inject_rule *r = ps->rule;
	char ip[64];
	const char *ip_start = v, *rest;
	size_t ip_len;
	if (!addr_filter_allowed(ps, "addr"))
		return false;
	if (len && v[0] == '[') {
		const char *close = memchr(v, ']', len);
		if (!close)
			return inject_refuse(ps, "addr='%.*s': missing ']'", (int)len, v);
		ip_start = v + 1;
		ip_len = (size_t)(close - ip_start);
		rest = close + 1;
		r->addr_family = AF_INET6;
	} else {
		const char *colon = memchr(v, ':', len);
		ip_len = colon ? (size_t)(colon - v) : len;
		rest = v + ip_len;
		r->addr_family = AF_INET;
	}
	size_t rest_len = len - (size_t)(rest - v);
	if (ip_len == 0 || ip_len >= sizeof(ip))
		return inject_refuse(ps, "addr='%.*s': expected IP, IP:PORT or "
			      "[IPv6]:PORT", (int)len, v);
	memcpy(ip, ip_start, ip_len);
	ip[ip_len] = '\0';
	if (inet_pton(r->addr_family, ip, r->addr) != 1)
		return inject_refuse(ps, "addr='%.*s': '%s' is not an %s",
			      (int)len, v, ip,
			      r->addr_family == AF_INET ? "IPv4 address (IPv6 "
			      "goes in brackets)" : "IPv6 address");
	if (rest_len && (rest[0] != ':' ||
			 !parse_port_number(rest + 1, rest_len - 1, &r->port)))
		return inject_refuse(ps, "addr='%.*s': expected IP, IP:PORT or "
			      "[IPv6]:PORT, port 1..65535", (int)len, v);
	return true;
}

bool inject_parse_port(struct parse *ps, const char *v, size_t len)
{
	if (!addr_filter_allowed(ps, "port"))
		return false;
	if (!parse_port_number(v, len, &ps->rule->port))
		return inject_refuse(ps, "port='%.*s': expected 1..65535", (int)len, v);
	return true;
}

bool inject_parse_host(struct parse *ps, const char *v, size_t len)
{
	if (ps->rule->family != FAMILY_GETADDRINFO &&
	    ps->rule->family != FAMILY_RESOLVER)
		return inject_refuse(ps, "host= filters getaddrinfo and resolver "
				     "names, not %s",
			      family_name(ps->rule->family));
	if (len == 0 || len >= INJECT_HOST_MAX || memchr(v, '\0', len))
		return inject_refuse(ps, "host= needs a name or glob of 1 to %d "
			      "characters", INJECT_HOST_MAX - 1);
	memcpy(ps->rule->host, v, len);
	ps->rule->host[len] = '\0';
	return true;
}

/* Files only: a socket or pipe has no path to match. */
bool inject_parse_path(struct parse *ps, const char *v, size_t len)
{
	enum family f = ps->rule->family;
	if (f != FAMILY_OPEN && f != FAMILY_READ && f != FAMILY_WRITE &&
	    f != FAMILY_DISK)
		return inject_refuse(ps, "path= filters the files of open, read, "
				     "write and disk calls, not %s",
				     family_name(f));
	if (len >= INJECT_PATH_MAX || memchr(v, '\0', len))
		return inject_refuse(ps, "path= needs a path or glob of 1 to %d "
				     "characters", INJECT_PATH_MAX - 1);
	memcpy(ps->rule->path, v, len);
	ps->rule->path[len] = '\0';
	return true;
}
