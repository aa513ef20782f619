/* budget.c: the retry budget's counters (see budget.h for the rule).
 *
 * Each slot word packs the second it counts (24 bits of CLOCK_MONOTONIC
 * seconds), its deposits (20 bits) and its withdrawals (20 bits).  A
 * slot whose second is 10 or more behind counts as empty. */
#include "budget.h"

#include <time.h>

#include "../common/hosttable.h"

_Static_assert(BUDGET_WINDOW_SECONDS == HOSTTABLE_BUDGET_SECONDS,
	       "the host table holds one window per family");

#define SECOND_BITS 24
#define COUNT_BITS 20
#define COUNT_MAX ((1ULL << COUNT_BITS) - 1)
#define SECOND_MASK ((1ULL << SECOND_BITS) - 1)

static uint64_t slots[FAMILY_COUNT][BUDGET_WINDOW_SECONDS];
static uint64_t refused[FAMILY_COUNT];
static uint64_t reported_second[FAMILY_COUNT];

static uint64_t now_second(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec;
}

static uint64_t pack(uint64_t second, uint64_t deposits, uint64_t withdrawals)
{
	return (second & SECOND_MASK) << (2 * COUNT_BITS) |
	       deposits << COUNT_BITS | withdrawals;
}

/* The counts of `word` as seen at second `now`: zero when stale. */
static void unpack(uint64_t word, uint64_t now, uint64_t *deposits,
		   uint64_t *withdrawals)
{
	uint64_t age = (now - (word >> (2 * COUNT_BITS))) & SECOND_MASK;
	if (word == 0 || age >= BUDGET_WINDOW_SECONDS) {
		*deposits = *withdrawals = 0;
		return;
	}
	*deposits = word >> COUNT_BITS & COUNT_MAX;
	*withdrawals = word & COUNT_MAX;
}

static bool is_current(uint64_t word, uint64_t now)
{
	return word != 0 && (word >> (2 * COUNT_BITS)) == (now & SECOND_MASK);
}

void budget_deposit(enum family family, uint64_t *host)
{
	uint64_t now = now_second();
	uint64_t *words = host ? host : slots[family];
	uint64_t *slot = &words[now % BUDGET_WINDOW_SECONDS];
	uint64_t word = __atomic_load_n(slot, __ATOMIC_RELAXED);
	uint64_t d, w, next;
	do {
		d = w = 0;
		if (is_current(word, now))
			unpack(word, now, &d, &w);
		next = pack(now, d < COUNT_MAX ? d + 1 : d, w);
	} while (!__atomic_compare_exchange_n(slot, &word, next, true,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
}

bool budget_withdraw(enum family family, const struct policy *p,
		     uint64_t *host)
{
	uint64_t now = now_second();
	unsigned current = (unsigned)(now % BUDGET_WINDOW_SECONDS);
	uint64_t deposits = 0, withdrawals = 0, d, w, next;
	uint64_t *words = host ? host : slots[family];

	for (unsigned i = 0; i < BUDGET_WINDOW_SECONDS; i++) {
		if (i == current)
			continue;
		unpack(__atomic_load_n(&words[i], __ATOMIC_RELAXED),
		       now, &d, &w);
		deposits += d;
		withdrawals += w;
	}
	double floor = p->budget_min * BUDGET_WINDOW_SECONDS;
	uint64_t *slot = &words[current];
	uint64_t word = __atomic_load_n(slot, __ATOMIC_RELAXED);
	do {
		d = w = 0;
		if (is_current(word, now))
			unpack(word, now, &d, &w);
		double allowed = p->budget * (double)(deposits + d) + floor;
		if ((double)(withdrawals + w + 1) > allowed || w == COUNT_MAX)
			return false;
		next = pack(now, d, w + 1);
	} while (!__atomic_compare_exchange_n(slot, &word, next, true,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

bool budget_report_due(enum family family, uint64_t *also_refused)
{
	uint64_t now = now_second() + 1;	/* 0 means never reported */
	uint64_t last = __atomic_load_n(&reported_second[family],
					__ATOMIC_RELAXED);
	if (last == now || !__atomic_compare_exchange_n(
				   &reported_second[family], &last, now, false,
				   __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		__atomic_add_fetch(&refused[family], 1, __ATOMIC_RELAXED);
		return false;
	}
	*also_refused = __atomic_exchange_n(&refused[family], 0,
					    __ATOMIC_RELAXED);
	return true;
}
