/* fuzz_values: every value parser on its own.  The first byte picks the
 * parser, the rest is the value, in an exactly sized buffer with no NUL
 * after it (the parsers take a length; ASan flags any read past it).
 * An accepted value must be in range; a refused one must leave the
 * output untouched and say why. */
#include <stdint.h>

#include "invariants.h"
#include "settings.h"

enum { TRIES, SECONDS, BACKOFF, JITTER, ERRORS, FAMILIES, SWITCH,
       GLOBAL_KEY, POLICY_KEY = GLOBAL_KEY + GLOBAL_KEY_COUNT,
       PARSERS = POLICY_KEY + POLICY_KEY_COUNT };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	if (size == 0)
		return 0;
	int which = data[0] % PARSERS;
	size_t len = size - 1;
	char *text = malloc(len ? len : 1);
	memcpy(text, data + 1, len);
	const char *why = NULL;

	switch (which) {
	case TRIES: {
		int tries = 7;
		why = parse_tries(text, len, &tries);
		REQUIRE(why ? tries == 7 : tries != 0);
		break;
	}
	case SECONDS: {
		double s = 7;
		why = parse_seconds(text, len, &s);
		if (why)
			REQUIRE(s == 7);
		else
			require_sane_seconds(s);
		break;
	}
	case BACKOFF: {
		double b = 7;
		why = parse_backoff(text, len, &b);
		REQUIRE(why ? b == 7 : (isfinite(b) && b > 0 && b <= 1000));
		break;
	}
	case JITTER: {
		double lo = 0, hi = 0;
		why = parse_jitter(text, len, &lo, &hi);
		if (!why)
			REQUIRE(isfinite(lo) && isfinite(hi) && lo <= hi &&
				lo >= -SECONDS_MAX && hi <= SECONDS_MAX);
		break;
	}
	case ERRORS: {
		struct errset set = { .all = false };
		why = parse_errors(text, len, &set);
		break;
	}
	case FAMILIES: {
		bool on[FAMILY_COUNT] = { false };
		why = parse_families(text, len, on);
		if (!why) {
			bool any = false;
			for (int f = 0; f < FAMILY_COUNT; f++)
				any |= on[f];
			REQUIRE(any);
		}
		break;
	}
	case SWITCH: {
		bool on;
		why = parse_switch(text, len, &on);
		break;
	}
	default:
		if (which >= POLICY_KEY) {
			/* every per-family key, through the key table */
			config_check_text(&cfg, "fuzz", "", 0);
			struct policy *p = &cfg.policy[data[0] % FAMILY_COUNT];
			why = policy_set(p, (enum policy_key)(which - POLICY_KEY),
					 text, len);
			break;
		}
		/* on, log (sinks), log_facility, log_level, log_format */
		config_check_text(&cfg, "fuzz", "", 0);
		why = global_set(&cfg, (enum global_key)(which - GLOBAL_KEY),
				 text, len);
		REQUIRE(memchr(cfg.log.path, '\0', sizeof(cfg.log.path)));
		if (!why && cfg.log.sink != SINK_STDERR &&
		    cfg.log.sink != SINK_NONE)
			REQUIRE(cfg.log.path[0] == '/');
		REQUIRE(cfg.log.format == LOG_FORMAT_RFC3164 ||
			cfg.log.format == LOG_FORMAT_RFC5424);
		break;
	}
	if (why)
		REQUIRE(*why);
	free(text);
	return 0;
}
