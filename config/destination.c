/* destination.c: parsing destination patterns and choosing the most
 * specific match (the rule is in destination.h).  Parsing uses
 * inet_pton at load time; matching compares bytes only. */
#include "destination.h"

#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>

#include "../common/glob.h"
#include "values.h"

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				       0xff, 0xff };

static const char *parse_port(const char *text, size_t len, int *port)
{
	if (len == 1 && text[0] == '*') {
		*port = -1;
		return NULL;
	}
	if (len == 0 || len > 5)
		return "expected a port number 1..65535 or * after ':'";
	int value = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return "expected a port number 1..65535 or * after ':'";
		value = value * 10 + (text[i] - '0');
	}
	if (value < 1 || value > 65535)
		return "expected a port number 1..65535 or * after ':'";
	*port = value;
	return NULL;
}

/* ADDR or ADDR/BITS, text without brackets. */
static const char *parse_address(const char *text, size_t len,
				 struct dest_pattern *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	if (len == 1 && text[0] == '*') {
		p->af = 0;
		p->bits = 0;
		return NULL;
	}
	if (len >= sizeof(buf))
		return "address too long";
	memcpy(buf, text, len);
	buf[len] = '\0';
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	p->af = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(p->af, buf, p->addr) != 1)
		return "not an IPv4 address, an [IPv6] address or *";
	int max = p->af == AF_INET ? 32 : 128;
	p->bits = max;
	if (slash) {
		const char *b = slash + 1;
		size_t blen = strlen(b);
		int bits = 0;
		if (blen == 0 || blen > 3)
			return "expected a prefix length after '/'";
		for (size_t i = 0; i < blen; i++) {
			if (b[i] < '0' || b[i] > '9')
				return "expected a prefix length after '/'";
			bits = bits * 10 + (b[i] - '0');
		}
		if (bits > max)
			return "prefix length longer than the address";
		p->bits = bits;
	}
	return NULL;
}

static const char *parse_inet(const char *text, size_t len,
			      struct dest_pattern *p)
{
	const char *addr = text, *rest;
	size_t addr_len;
	if (len && text[0] == '[') {
		const char *close = memchr(text, ']', len);
		if (!close)
			return "IPv6 address without closing ']'";
		addr = text + 1;
		addr_len = (size_t)(close - addr);
		rest = close + 1;
		if (memchr(addr, ':', addr_len) == NULL)
			return "brackets are for IPv6 addresses";
	} else {
		const char *colon = memchr(text, ':', len);
		if (colon && memchr(colon + 1, ':', len - (size_t)(colon + 1 - text)))
			return "an IPv6 address goes in brackets: [::1]:PORT";
		addr_len = colon ? (size_t)(colon - text) : len;
		rest = text + addr_len;
	}
	size_t rest_len = len - (size_t)(rest - text);
	const char *why = parse_address(addr, addr_len, p);
	if (why)
		return why;
	if (rest_len == 0)
		return p->port = -1, NULL;
	if (rest[0] != ':')
		return "expected ':PORT' after the address";
	return parse_port(rest + 1, rest_len - 1, &p->port);
}

static const char *parse_glob(const char *text, size_t len,
			      struct dest_pattern *p)
{
	if (len == 0)
		return "empty pattern";
	if (len >= sizeof(p->glob))
		return "pattern too long";
	if (memchr(text, '\0', len))
		return "NUL byte in pattern";
	memcpy(p->glob, text, len);
	p->glob[len] = '\0';
	p->glob_len = (unsigned)len;
	p->specificity = (int)glob_literals(text, len) +
			 (glob_is_literal(text, len) ? 100000 : 0);
	return NULL;
}

const char *dest_parse(enum family family, const char *text, size_t len,
		       struct dest_pattern *p)
{
	memset(p, 0, sizeof(*p));
	text = trim(text, &len);
	if (family == FAMILY_GETADDRINFO || family == FAMILY_RESOLVER) {
		p->kind = DEST_HOST;
		return parse_glob(text, len, p);
	}
	if (family == FAMILY_OPEN) {
		p->kind = DEST_PATH;
		return parse_glob(text, len, p);
	}
	if (family != FAMILY_CONNECT && family != FAMILY_BIND)
		return "only connect, bind, getaddrinfo, resolver and open "
		       "sections take a destination";
	if (family == FAMILY_CONNECT && len > 5 &&
	    memcmp(text, "unix:", 5) == 0) {
		p->kind = DEST_UNIX;
		return parse_glob(text + 5, len - 5, p);
	}
	p->kind = DEST_INET;
	const char *why = parse_inet(text, len, p);
	if (why)
		return why;
	int pinned = (p->bits > 0) + (p->port >= 0);
	p->specificity = pinned * 1000 + p->bits * 2 + (p->port >= 0);
	return NULL;
}

static bool prefix_matches(const uint8_t *want, const uint8_t *have, int bits)
{
	int whole = bits / 8, rest = bits % 8;
	if (memcmp(want, have, (size_t)whole) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (want[whole] & mask) == (have[whole] & mask);
}

static bool inet_matches(const struct dest_pattern *p,
			 const struct sockaddr *addr, socklen_t len)
{
	const uint8_t *bytes;
	int af, port;
	if (addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)addr;
		bytes = (const uint8_t *)&in->sin_addr;
		af = AF_INET;
		port = ntohs(in->sin_port);
	} else if (addr->sa_family == AF_INET6 &&
		   len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)addr;
		bytes = in6->sin6_addr.s6_addr;
		af = AF_INET6;
		port = ntohs(in6->sin6_port);
		if (memcmp(bytes, v4_mapped, 12) == 0)
			bytes += 12, af = AF_INET;
	} else {
		return false;
	}
	if (p->port >= 0 && p->port != port)
		return false;
	if (p->af == 0)
		return true;
	return p->af == af && prefix_matches(p->addr, bytes, p->bits);
}

static bool unix_matches(const struct dest_pattern *p,
			 const struct sockaddr *addr, socklen_t len)
{
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	if (addr->sa_family != AF_UNIX || len <= off)
		return false;
	const struct sockaddr_un *sun = (const void *)addr;
	size_t max = len - off;
	if (max > sizeof(sun->sun_path))
		max = sizeof(sun->sun_path);
	if (sun->sun_path[0] == '\0')	/* abstract: written @name */
		return p->glob[0] == '@' &&
		       glob_match(p->glob + 1, p->glob_len - 1,
				  sun->sun_path + 1, max - 1, false);
	return glob_match(p->glob, p->glob_len, sun->sun_path,
			  strnlen(sun->sun_path, max), false);
}

static bool matches(const struct dest_pattern *p, const struct sockaddr *addr,
		    socklen_t addr_len, const char *node)
{
	switch (p->kind) {
	case DEST_HOST:
		return node && glob_match(p->glob, p->glob_len, node,
					  strlen(node), true);
	case DEST_PATH:
		return node && glob_match(p->glob, p->glob_len, node,
					  strlen(node), false);
	case DEST_UNIX:
		return addr && unix_matches(p, addr, addr_len);
	default:
		return addr && inet_matches(p, addr, addr_len);
	}
}

const struct destination *dest_choose(const struct destination *list,
				      int count, enum family family,
				      const struct sockaddr *addr,
				      socklen_t addr_len, const char *node)
{
	const struct destination *best = NULL;
	if (addr && addr_len < sizeof(sa_family_t))
		addr = NULL;
	for (int i = 0; i < count; i++) {
		const struct destination *d = &list[i];
		if (d->family != family ||
		    !matches(&d->pattern, addr, addr_len, node))
			continue;
		if (!best || d->pattern.specificity >= best->pattern.specificity)
			best = d;
	}
	return best;
}

bool dest_target_parse(enum family family, const char *text,
		       struct sockaddr_storage *ss, socklen_t *ss_len,
		       const char **node)
{
	struct dest_pattern p;
	memset(ss, 0, sizeof(*ss));
	*node = NULL;
	*ss_len = 0;
	if (family == FAMILY_GETADDRINFO || family == FAMILY_RESOLVER ||
	    family == FAMILY_OPEN) {
		*node = text;
		return true;
	}
	size_t len = strlen(text);
	if (len > 5 && memcmp(text, "unix:", 5) == 0) {
		struct sockaddr_un *sun = (void *)ss;
		if (len - 5 >= sizeof(sun->sun_path))
			return false;
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, text + 5, len - 5);
		if (sun->sun_path[0] == '@')
			sun->sun_path[0] = '\0';
		*ss_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				      len - 5);
		return true;
	}
	if (dest_parse(FAMILY_CONNECT, text, len, &p) || p.af == 0 ||
	    p.bits != (p.af == AF_INET ? 32 : 128))
		return false;
	if (p.af == AF_INET) {
		struct sockaddr_in *in = (void *)ss;
		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, p.addr, 4);
		in->sin_port = htons((uint16_t)(p.port < 0 ? 0 : p.port));
		*ss_len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (void *)ss;
		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, p.addr, 16);
		in6->sin6_port = htons((uint16_t)(p.port < 0 ? 0 : p.port));
		*ss_len = sizeof(*in6);
	}
	return true;
}

const struct policy *config_policy_for(const struct config *cfg,
				       enum family family,
				       const struct sockaddr *addr,
				       socklen_t addr_len, const char *node)
{
	const struct destination *d = NULL;
	if (cfg->destination_count)
		d = dest_choose(cfg->destination, cfg->destination_count,
				family, addr, addr_len, node);
	return d ? &d->policy : &cfg->policy[family];
}
