/* invariants.h: what every loaded configuration must satisfy, whatever
 * the input; the fuzz targets abort (a finding) when it does not. */
#ifndef KAIORETRY_FUZZ_INVARIANTS_H
#define KAIORETRY_FUZZ_INVARIANTS_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "values.h"

#define REQUIRE(cond) do { if (!(cond)) abort(); } while (0)

static inline void require_sane_seconds(double s)
{
	REQUIRE(isfinite(s) && s >= 0 && s <= SECONDS_MAX);
}

static inline void require_sane_config(const struct config *cfg)
{
	REQUIRE(cfg->problem_count >= 0);
	REQUIRE(cfg->pass_through ==
		(cfg->problem_count > 0 || cfg->program_unselected));
	for (int i = 0; i < cfg->problem_count && i < PROBLEMS_KEPT; i++)
		REQUIRE(memchr(cfg->problem[i], '\0', PROBLEM_MAX) != NULL);
	REQUIRE(memchr(cfg->log.path, '\0', sizeof(cfg->log.path)) != NULL);
	if (cfg->pass_through)
		return;		/* values may be half-applied; never used */
	for (int f = 0; f < FAMILY_COUNT; f++) {
		const struct policy *p = &cfg->policy[f];
		/* no input makes close, fsync... retry */
		REQUIRE(!(p->enabled && family_never_retried(f)));
		REQUIRE(p->tries != 0);
		require_sane_seconds(p->delay);
		require_sane_seconds(p->min_delay);
		if (p->max_delay != DELAY_UNBOUNDED) {
			require_sane_seconds(p->max_delay);
			REQUIRE(p->min_delay <= p->max_delay);
		}
		/* The built-in cap never sleeps less than what was set, and
		 * the built-in bound is a real deadline. */
		if (p->max_delay_builtin)
			REQUIRE(p->max_delay >= p->delay);
		if (p->deadline_builtin)
			REQUIRE(p->deadline > 0 && p->tries < 0);
		REQUIRE(isfinite(p->backoff) && p->backoff > 0 &&
			p->backoff <= 1000);
		REQUIRE(isfinite(p->jitter_min) && isfinite(p->jitter_max));
		REQUIRE(p->jitter_min <= p->jitter_max);
	}
	if (cfg->log.sink != SINK_STDERR && cfg->log.sink != SINK_NONE)
		REQUIRE(cfg->log.path[0] == '/');
	REQUIRE(cfg->log.format == LOG_FORMAT_RFC3164 ||
		cfg->log.format == LOG_FORMAT_RFC5424);
}

#endif
