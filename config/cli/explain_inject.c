/* explain_inject.c: --explain for fault injection: each rule in words,
 * its actions (what a matching call suffers) and its conditions (which
 * calls: the window in time, the numbers, the filters), so a spec can
 * be read back before a test relies on it. */
#include "cli.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include "../errnames.h"
#include "../inject_spec.h"

static void print_errors(FILE *out, const struct inject_rule *r)
{
	for (int e = 0; e < r->error_count; e++)
		fprintf(out, "%s%s", e ? " or " : "", errname_of(r->errors[e]));
}

static void print_actions(FILE *out, const struct inject_rule *r)
{
	if (r->hang) {
		fputs("; hang ", out);
		print_seconds(out, r->hang);
		fputs(" s, then fail with ", out);
		print_errors(out, r);
	} else if (r->limit) {
		fprintf(out, "; after %llu bytes through a descriptor, fail "
			"its calls with ", (unsigned long long)r->limit);
		print_errors(out, r);
	} else if (r->error_count) {
		fputs("; fail with ", out);
		print_errors(out, r);
	}
	if (r->rate)
		fprintf(out, "; pace each descriptor to %llu bytes/s",
			(unsigned long long)r->rate);
	if (r->delay_max > 0) {
		fputs("; delay ", out);
		print_seconds(out, r->delay);
		if (r->delay_max != r->delay) {
			fputs("..", out);
			print_seconds(out, r->delay_max);
		}
		fputs(" s", out);
	}
	if (r->short_bytes)
		fprintf(out, "; at most %llu bytes a call",
			(unsigned long long)r->short_bytes);
}

static void print_conditions(FILE *out, const struct inject_rule *r)
{
	char ip[INET6_ADDRSTRLEN];
	if (r->at_from_ns || r->at_until_ns != INJECT_AT_OPEN) {
		fputs("; from ", out);
		print_seconds(out, (double)r->at_from_ns / 1e9);
		if (r->at_until_ns != INJECT_AT_OPEN) {
			fputs(" s to ", out);
			print_seconds(out, (double)r->at_until_ns / 1e9);
		}
		fputs(r->at_until_ns == INJECT_AT_OPEN ?
		      " s after start on" : " s after start", out);
	}
	if (r->when_first != 1 || r->when_last != INJECT_WHEN_OPEN ||
	    r->when_step) {
		fprintf(out, "; matching calls %llu", (unsigned long long)
			r->when_first);
		if (r->when_last == INJECT_WHEN_OPEN)
			fputs(" on", out);
		else if (r->when_last != r->when_first)
			fprintf(out, " to %llu", (unsigned long long)r->when_last);
		if (r->when_step)
			fprintf(out, " every %llu", (unsigned long long)
				r->when_step);
	}
	if (r->p < 1)
		fprintf(out, "; each with probability %g", r->p);
	if (r->addr_family && inet_ntop(r->addr_family, r->addr, ip,
					sizeof(ip)))
		fprintf(out, "; only to %s", ip);
	if (r->port)
		fprintf(out, "; only to port %u", r->port);
	if (r->host[0])
		fprintf(out, "; only names matching %s", r->host);
	if (r->path[0])
		fprintf(out, "; only files matching %s", r->path);
}

void explain_inject(FILE *out, const struct config *cfg)
{
	const struct inject_spec *spec = &cfg->inject;
	if (spec->count == 0 && !spec->control)
		return;
	fprintf(out, "fault injection: %d rule%s, seed ", spec->count,
		spec->count == 1 ? "" : "s");
	if (spec->seed_given)
		fprintf(out, "%llu\n", (unsigned long long)spec->seed);
	else
		fputs("chosen at start and logged\n", out);
	for (int i = 0; i < spec->count; i++) {
		const struct inject_rule *r = &spec->rule[i];
		fprintf(out, "  rule %d '%s': %s calls", i + 1, r->text,
			family_name(r->family));
		print_actions(out, r);
		print_conditions(out, r);
		fputc('\n', out);
	}
	fputs("  rules can be changed while it runs: kaioretry fault PID "
	      "list | add RULE | clear [N]\n", out);
}
