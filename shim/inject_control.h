/* inject_control.h: `kaioretry fault PID`, the injection rules of a
 * running process changed from outside, through the page of
 * common/control_page.h.  Only a process with injection on (any rules,
 * or KAIORETRY_INJECT=control) has a page; the others never come here. */
#ifndef KAIORETRY_INJECT_CONTROL_H
#define KAIORETRY_INJECT_CONTROL_H

#include <stdint.h>

#include "../config/config.h"

/* Creates this process's page, listing the rules in force
 * (inject_rules.h); logs where it is, or why there is none. */
void inject_control_start(const struct config *cfg);

/* The generation word of the page (a constant 0 without one), and the
 * generation in force. */
extern const uint32_t *inject_control_generation;
extern uint32_t inject_control_seen;

/* Puts the page's rules in force; see inject_control_poll. */
void inject_control_apply(void);

/* On every call of the injection path: one load and one compare while
 * nothing changes. */
static inline void inject_control_poll(void)
{
	if (__atomic_load_n(inject_control_generation, __ATOMIC_ACQUIRE) !=
	    __atomic_load_n(&inject_control_seen, __ATOMIC_RELAXED))
		inject_control_apply();
}

#endif
