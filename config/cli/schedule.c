/* schedule.c: the sleeps a policy implies, worked out with the shim's
 * own delay rule (policy_next_delay) so the forecast matches the log.
 *
 * A jitter range is followed along its two edges: the update is
 * monotonic in both the delay and the jitter, so the lowest and highest
 * possible sleeps come from always drawing the low or the high end. */
#include "cli.h"

#include <stdint.h>

#include "../../shim/delay.h"
#include "../../shim/text.h"

#define SHOWN_UNBOUNDED 8	/* sleeps shown when tries is negative */
#define SHOWN_FINITE 10		/* a finite schedule longer than this is
				 * shortened to SHOWN_UNBOUNDED sleeps */
#define TOTAL_HUGE 1e9		/* seconds (31 years): stop adding up */

void print_seconds(FILE *out, double seconds)
{
	struct text t = { 0 };
	text_decimal(&t, seconds);
	fwrite(t.buf, 1, t.len, out);
}

static void print_range(FILE *out, double lo, double hi)
{
	print_seconds(out, lo);
	if (hi != lo) {
		fputs("..", out);
		print_seconds(out, hi);
	}
}

/* The policy with its jitter pinned to one end of its range. */
static struct policy edge(const struct policy *p, double jitter)
{
	struct policy e = *p;
	e.jitter_min = e.jitter_max = jitter;
	return e;
}

void schedule_print(FILE *out, const struct policy *p)
{
	if (p->tries == 1) {
		fputs("no retry (tries=1)", out);
		return;
	}
	struct policy low = edge(p, p->jitter_min);
	struct policy high = edge(p, p->jitter_max);
	uint64_t rng = 1;	/* unused: both edges are fixed */
	long sleeps = p->tries > 0 ? p->tries - 1 : -1;
	long shown = sleeps >= 0 && sleeps <= SHOWN_FINITE ? sleeps
							    : SHOWN_UNBOUNDED;
	double lo = p->delay, hi = p->delay;
	double total_lo = 0, total_hi = 0;

	fputs("sleeps", out);
	for (long i = 0; i < shown; i++) {
		fputc(' ', out);
		print_range(out, lo, hi);
		total_lo += lo;
		total_hi += hi;
		if (i + 1 < shown) {
			lo = policy_next_delay(&low, lo, &rng);
			hi = policy_next_delay(&high, hi, &rng);
		}
	}
	if (sleeps < 0) {
		fputs(" ... until the call succeeds (", out);
		print_range(out, total_lo, total_hi);
		fprintf(out, " s after %ld sleeps)", shown);
		return;
	}
	/* The rest of a long finite schedule, for its total.  Once both
	 * edges stop changing, every remaining sleep is the same. */
	for (long i = shown; i < sleeps && total_lo < TOTAL_HUGE; i++) {
		double next_lo = policy_next_delay(&low, lo, &rng);
		double next_hi = policy_next_delay(&high, hi, &rng);
		if (next_lo == lo && next_hi == hi) {
			total_lo += lo * (double)(sleeps - i);
			total_hi += hi * (double)(sleeps - i);
			break;
		}
		lo = next_lo, hi = next_hi;
		total_lo += lo;
		total_hi += hi;
	}
	if (shown < sleeps)
		fprintf(out, " ... (%ld sleeps, total ", sleeps);
	else
		fputs(" (total ", out);
	if (total_lo >= TOTAL_HUGE) {
		fputs("more than 31 years)", out);
		return;
	}
	print_range(out, total_lo, total_hi);
	fputs(" s)", out);
}
