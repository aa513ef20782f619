/* explain_ready.c: --explain for the `ready` key: the value, and in a
 * line under a policy's summary, what the check sends and which
 * answers mean "not ready yet" (the rules of shim/ready_protocols.c). */
#include "cli.h"

#include "../ready_key.h"

void print_ready(FILE *out, const struct ready_check *check)
{
	fputs(ready_protocol_name(check->protocol), out);
	if (check->protocol == READY_HTTP && check->path[1])
		fprintf(out, ":%s", check->path);
}

void explain_ready(FILE *out, const struct policy *p)
{
	const struct ready_check *check = &p->ready;
	if (check->protocol == READY_TCP)
		return;
	fputs("    ready check: before the first connect to each address, "
	      "on a socket of the shim's own, ", out);
	switch (check->protocol) {
	case READY_POSTGRES:
		fputs("a PostgreSQL start-up packet; 57P03 (cannot connect "
		      "now) is not ready, an authentication request or any "
		      "other answer is ready", out);
		break;
	case READY_REDIS:
		fputs("PING; -LOADING, -BUSY or -MASTERDOWN is not ready, "
		      "+PONG or any other answer (an auth error) is ready",
		      out);
		break;
	case READY_HTTP:
		fprintf(out, "GET %s; a status of 500 or more is not ready, "
			"any other status is ready", check->path);
		break;
	case READY_TCP:
		break;
	}
	fputs("; no answer or a closed connection is not ready; not ready "
	      "counts as a failed try (ECONNREFUSED) of the series\n", out);
}
