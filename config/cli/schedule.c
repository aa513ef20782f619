/* schedule.c: the sleeps a policy implies, worked out with the shim's
 * own delay rule (policy_next_delay) so the forecast matches the log.
 *
 * A jitter range is followed along its two edges: the update is
 * monotonic in both the delay and the jitter, so the lowest and highest
 * possible sleeps come from always drawing the low or the high end. */
#include "cli.h"

#include <stdint.h>

#include "../../common/delay.h"
#include "../../common/text.h"

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

/* The range one sleep can take under spread, for kaioretry delays in
 * [lo, hi]; *prev_hi carries the largest previous sleep (decorrelated). */
static void spread_edges(const struct policy *p, double lo, double hi,
			 double *prev_hi, double *sleep_lo, double *sleep_hi)
{
	double unused;
	spread_range(p->spread, lo, lo, p->max_delay, sleep_lo, &unused);
	spread_range(p->spread, hi, *prev_hi, p->max_delay, &unused, sleep_hi);
	*prev_hi = *sleep_hi;
}

static void print_deadline(FILE *out, const struct policy *p)
{
	if (p->deadline == SECONDS_UNSET)
		return;
	fputs("; deadline ", out);
	print_seconds(out, p->deadline);
	fputs(" s: no sleep that would end past it", out);
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
	double total_lo = 0, total_hi = 0, prev_hi = p->delay, s_lo, s_hi;

	fputs("sleeps", out);
	for (long i = 0; i < shown; i++) {
		fputc(' ', out);
		spread_edges(p, lo, hi, &prev_hi, &s_lo, &s_hi);
		print_range(out, s_lo, s_hi);
		total_lo += s_lo;
		total_hi += s_hi;
		if (i + 1 < shown) {
			lo = policy_next_delay(&low, lo, &rng);
			hi = policy_next_delay(&high, hi, &rng);
		}
	}
	if (sleeps < 0) {
		fputs(" ... until the call succeeds (", out);
		print_range(out, total_lo, total_hi);
		fprintf(out, " s after %ld sleeps)", shown);
		print_deadline(out, p);
		return;
	}
	/* The rest of a long finite schedule, for its total.  Once both
	 * edges stop changing, every remaining sleep is the same. */
	for (long i = shown; i < sleeps && total_lo < TOTAL_HUGE; i++) {
		double next_lo = policy_next_delay(&low, lo, &rng);
		double next_hi = policy_next_delay(&high, hi, &rng);
		double before = prev_hi;
		spread_edges(p, next_lo, next_hi, &prev_hi, &s_lo, &s_hi);
		if (next_lo == lo && next_hi == hi && prev_hi == before) {
			total_lo += s_lo * (double)(sleeps - i);
			total_hi += s_hi * (double)(sleeps - i);
			break;
		}
		lo = next_lo, hi = next_hi;
		total_lo += s_lo;
		total_hi += s_hi;
	}
	if (shown < sleeps)
		fprintf(out, " ... (%ld sleeps, total ", sleeps);
	else
		fputs(" (total ", out);
	if (total_lo >= TOTAL_HUGE) {
		fputs("more than 31 years)", out);
		print_deadline(out, p);
		return;
	}
	print_range(out, total_lo, total_hi);
	fputs(" s)", out);
	print_deadline(out, p);
}
