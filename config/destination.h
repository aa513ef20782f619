/* destination.h: policies scoped to a destination, from INI sections
 * such as [connect 10.0.0.0/8], [connect *:5432], [connect [::1]:6379],
 * [connect unix:/run/postgresql/.s.PGSQL.*], [getaddrinfo *.internal],
 * [resolver *.internal] and [open /run/postgresql/.s.PGSQL.*].
 *
 * Patterns:
 *   connect      ADDR[/BITS][:PORT] (IPv4), [ADDR[/BITS]][:PORT] (IPv6,
 *                in brackets), *[:PORT] (any address), PORT may be *;
 *                unix:GLOB (a socket path; @name for abstract ones)
 *   getaddrinfo  GLOB on the host name, case-insensitive
 *   resolver     the same, on the name gethostbyname, res_query... look up
 *   bind         as connect, without unix: (bind.c never retries a path)
 *   open         GLOB on the path as the program wrote it, case-sensitive;
 *                a relative path (open("run/x"), openat(dirfd, "x")) is
 *                matched as written, never resolved
 * An IPv4-mapped IPv6 address (::ffff:10.1.2.3) matches IPv4 patterns.
 *
 * The most specific match wins:
 *   addresses  a pattern that pins both address and port beats one that
 *              pins only one; then the longer prefix (10.1.2.3 over
 *              10.1.0.0/16 over 10.0.0.0/8 over *); then one with a port
 *   globs      an exact name beats any glob; then more literal (non-
 *              wildcard) characters
 *   a tie      the section further down the file
 * No match: the family's own policy.  Choosing runs on the failure path
 * only, when a series starts; it allocates nothing and takes no lock. */
#ifndef KAIORETRY_DESTINATION_H
#define KAIORETRY_DESTINATION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "policy.h"

#define DESTINATIONS_MAX 32
#define DEST_TEXT_MAX 112

enum dest_kind { DEST_INET, DEST_UNIX, DEST_HOST, DEST_PATH };

struct dest_pattern {
	enum dest_kind kind;
	int af;			/* AF_INET, AF_INET6, or 0: any address */
	uint8_t addr[16];
	int bits;		/* prefix length */
	int port;		/* -1: any */
	char glob[DEST_TEXT_MAX];	/* unix path, host or path glob */
	unsigned glob_len;
	int specificity;	/* larger wins */
};

struct destination {
	enum family family;
	struct dest_pattern pattern;
	struct policy policy;
	char text[DEST_TEXT_MAX];	/* the pattern as written */
	int line;			/* of the header in the INI file */
};

/* Parses the pattern of a [family PATTERN] header. */
const char *dest_parse(enum family family, const char *text, size_t len,
		       struct dest_pattern *out);

/* The destination whose pattern matches best, or NULL.  `addr` for
 * connect, `node` for getaddrinfo. */
const struct destination *dest_choose(const struct destination *list,
				      int count, enum family family,
				      const struct sockaddr *addr,
				      socklen_t addr_len, const char *node);

/* Turns "10.1.2.3:5432", "[::1]:6379", "unix:/path" or a host name
 * into what dest_choose takes, for --explain --target.  Returns false
 * when the text is none of these for `family`. */
bool dest_target_parse(enum family family, const char *text,
		       struct sockaddr_storage *addr, socklen_t *addr_len,
		       const char **node);

#endif
