/* budget.h: the retry budget of each family in this process, in the
 * manner of Finagle's RetryBudget, but counted on the failure path only.
 *
 * The success path may not touch shared state, so successful calls are
 * not counted.  What is counted instead, per 10 s window (ten 1 s
 * slots):
 *   deposits     series started: calls that failed on their first try
 *                with an error the policy retries, on a descriptor that
 *                may block;
 *   withdrawals  retries made (each real call after the first).
 * A retry is allowed while
 *   withdrawals + 1 <= budget * deposits + budget_min * 10
 * so in a storm, where every call fails, retries add at most `budget`
 * of the calls plus budget_min per second; when calls mostly succeed,
 * the budget is smaller than Finagle's (successes deposit nothing) and
 * budget_min is what retries live on.  Lock-free: one 64-bit word per
 * slot, updated with compare-and-swap, so fork() is safe.  Two threads
 * crossing a second boundary at once may overdraw by one retry each.
 *
 * With budget_scope = host the same words live in the user's host table
 * (hosttable.h), so every process of the user deposits into and
 * withdraws from one budget: the caller passes them as `host`; NULL
 * (process scope, or no table) counts in this process's own words. */
#ifndef KAIORETRY_BUDGET_H
#define KAIORETRY_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#include "../config/policy.h"

#define BUDGET_WINDOW_SECONDS 10

void budget_deposit(enum family family, uint64_t *host);
/* Takes one retry from the budget; false when it is spent. */
bool budget_withdraw(enum family family, const struct policy *policy,
		     uint64_t *host);
/* After a refusal: true at most once per second per family, when the
 * caller should log it; *also_refused is how many refusals went
 * unreported since the last report. */
bool budget_report_due(enum family family, uint64_t *also_refused);

#endif
