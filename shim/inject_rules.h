/* inject_rules.h: the injection rules in force, by number.
 *
 * A rule's number (its slot, from 0; the log says slot + 1) is fixed
 * for the process's life: the rules given at start take the first
 * ones, each rule added at run time (inject_control.c) the next.  A
 * slot is written once, before it is first published, and never again,
 * so a thread may read it at any time.  Which slots are in force is one
 * 64-bit word swapped atomically: a change is a single store, and no
 * table is ever freed while another thread reads it. */
#ifndef KAIORETRY_INJECT_RULES_H
#define KAIORETRY_INJECT_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/control_page.h"
#include "../config/inject_spec.h"

#define INJECT_SLOTS CONTROL_IDS_MAX
_Static_assert(INJECT_SLOTS <= 64, "the slots in force are one word");
#define INJECT_NEVER UINT64_MAX		/* cleared_ns of a rule in force */

/* When a rule was in force, in nanoseconds since start. */
struct inject_lifetime {
	uint64_t added_ns, cleared_ns;
	bool at_start;			/* given at start, not added later */
};

/* The start of the run, the origin of at= and of lifetimes; the rules
 * of `spec` take slots 0 .. count-1 and are in force. */
void inject_rules_start(const struct inject_spec *spec);
uint64_t inject_elapsed_ns(void);

/* The slots in force, a bit each. */
static inline uint64_t inject_rules_in_force(void)
{
	extern uint64_t inject_rules_mask;
	return __atomic_load_n(&inject_rules_mask, __ATOMIC_ACQUIRE);
}

const struct inject_rule *inject_rule_of(int slot);
struct inject_lifetime inject_lifetime_of(int slot);
/* The slots filled so far, a bit each: every rule the run has had. */
uint64_t inject_rules_defined(void);

/* Run-time changes, made by one thread at a time: fills a new slot
 * (not yet in force), once; then `inject_rules_set` puts a new set in force,
 * stamping the lifetimes of the slots that enter and leave it. */
void inject_rules_fill(int slot, const struct inject_rule *rule);
void inject_rules_set(uint64_t in_force);

#endif
