/* inject_rules.c: the rules by number and the set in force (see
 * inject_rules.h). */
#include "inject_rules.h"

#include <time.h>

uint64_t inject_rules_mask;
static struct inject_rule slots[INJECT_SLOTS];
static struct inject_lifetime lifetimes[INJECT_SLOTS];
static uint64_t defined;
static struct timespec origin;

uint64_t inject_elapsed_ns(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - origin.tv_sec) * 1000000000u +
	       (uint64_t)now.tv_nsec - (uint64_t)origin.tv_nsec;
}

void inject_rules_start(const struct inject_spec *spec)
{
	clock_gettime(CLOCK_MONOTONIC, &origin);
	for (int i = 0; i < spec->count; i++) {
		slots[i] = spec->rule[i];
		lifetimes[i] = (struct inject_lifetime){
			.cleared_ns = INJECT_NEVER, .at_start = true };
	}
	defined = spec->count ? ~(uint64_t)0 >> (64 - spec->count) : 0;
	__atomic_store_n(&inject_rules_mask, defined, __ATOMIC_RELEASE);
}

const struct inject_rule *inject_rule_of(int slot)
{
	return &slots[slot];
}

struct inject_lifetime inject_lifetime_of(int slot)
{
	return lifetimes[slot];
}

uint64_t inject_rules_defined(void)
{
	return __atomic_load_n(&defined, __ATOMIC_ACQUIRE);
}

void inject_rules_fill(int slot, const struct inject_rule *rule)
{
	slots[slot] = *rule;
	lifetimes[slot] = (struct inject_lifetime){ .cleared_ns = INJECT_NEVER };
	__atomic_or_fetch(&defined, (uint64_t)1 << slot, __ATOMIC_RELEASE);
}

void inject_rules_set(uint64_t in_force)
{
	uint64_t before = inject_rules_mask, now = inject_elapsed_ns();
	for (int i = 0; i < INJECT_SLOTS; i++) {
		uint64_t bit = (uint64_t)1 << i;
		if ((in_force & bit) && !(before & bit))
			lifetimes[i].added_ns = now;
		if (!(in_force & bit) && (before & bit))
			lifetimes[i].cleared_ns = now;
	}
	__atomic_store_n(&inject_rules_mask, in_force, __ATOMIC_RELEASE);
}
