/* explain_destinations.c: --explain for destination sections ([connect
 * PATTERN], [bind PATTERN], [getaddrinfo PATTERN], [resolver PATTERN],
 * [open GLOB]),
 * and --explain --target, which names the section that applies to one
 * target by the same rule the shim uses (dest_choose). */
#include "cli.h"

#include <string.h>

static void section_name(FILE *out, const struct config *cfg,
			 const struct destination *d)
{
	fprintf(out, "[%s %s] (%s:%d)", family_name(d->family), d->text,
		cfg->file, d->line);
}

void explain_destinations(FILE *out, const struct config *cfg)
{
	for (int i = 0; i < cfg->destination_count; i++) {
		const struct destination *d = &cfg->destination[i];
		fputs("destination ", out);
		section_name(out, cfg, d);
		fputc(':', out);
		explain_summary(out, &d->policy);
	}
}

/* The policy for `target` in one family, and which section gave it. */
static void explain_target_in(FILE *out, const struct config *cfg,
			      const char *target, enum family family,
			      const struct sockaddr_storage *ss,
			      socklen_t len, const char *node)
{
	const struct sockaddr *addr = len ? (const struct sockaddr *)ss : NULL;
	const struct destination *d = dest_choose(
		cfg->destination, cfg->destination_count, family, addr, len,
		node);
	fprintf(out, "target %s (%s): ", target, family_name(family));
	if (d) {
		section_name(out, cfg, d);
		fputs(" applies, the most specific of", out);
		for (int i = 0; i < cfg->destination_count; i++) {
			const struct destination *m = &cfg->destination[i];
			if (m->family == family &&
			    dest_choose(m, 1, family, addr, len, node))
				fprintf(out, " [%s %s]", family_name(family),
					m->text);
		}
		fputc('\n', out);
	} else {
		fprintf(out, "no destination section matches; the [%s] "
			"policy applies\n", family_name(family));
	}
	fprintf(out, "%s:", family_name(family));
	explain_summary(out, d ? &d->policy : &cfg->policy[family]);
}

/* An address is connect's, and bind's (not a unix: path); a path (a
 * '/' in it, which no host name has) is open's; a name is looked up by
 * getaddrinfo or the old resolver, whose sections are apart (their
 * error codes are). */
int explain_target(FILE *out, const struct config *cfg, const char *target)
{
	struct sockaddr_storage ss;
	socklen_t len;
	const char *node;
	if (dest_target_parse(FAMILY_CONNECT, target, &ss, &len, &node)) {
		explain_target_in(out, cfg, target, FAMILY_CONNECT, &ss, len,
				  node);
		if (((const struct sockaddr *)&ss)->sa_family != AF_UNIX)
			explain_target_in(out, cfg, target, FAMILY_BIND, &ss,
					  len, node);
		return 0;
	}
	if (strchr(target, '/')) {
		dest_target_parse(FAMILY_OPEN, target, &ss, &len, &node);
		explain_target_in(out, cfg, target, FAMILY_OPEN, &ss, len,
				  node);
		return 0;
	}
	dest_target_parse(FAMILY_GETADDRINFO, target, &ss, &len, &node);
	explain_target_in(out, cfg, target, FAMILY_GETADDRINFO, &ss, len, node);
	explain_target_in(out, cfg, target, FAMILY_RESOLVER, &ss, len, node);
	return 0;
}
