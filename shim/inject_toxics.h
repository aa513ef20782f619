/* inject_toxics.h: limit= and rate=, the injections that follow the
 * bytes through one descriptor (toxiproxy's limit_data and bandwidth). */
#ifndef KAIORETRY_INJECT_TOXICS_H
#define KAIORETRY_INJECT_TOXICS_H

#include <sys/types.h>

#include "inject.h"
#include "inject_rules.h"

/* Makes room to follow descriptors for every rule with limit= or rate=;
 * at start, before the injectors are installed. */
void inject_toxics_start(const struct config *cfg);
/* The same for one rule, by slot (inject_rules.h), added at run time. */
void inject_toxics_prepare(int slot, const struct inject_rule *r);

/* Before the real call: with the limit reached, sets d->error; else
 * waits for the rate and caps d->short_bytes at what may pass now. */
void inject_toxic_before(struct inject_decision *d, int fd);
/* After it: counts the `done` bytes that passed (done <= 0: none). */
void inject_toxic_after(const struct inject_decision *d, int fd,
			long long done);

#endif
