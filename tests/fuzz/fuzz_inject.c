/* fuzz_inject: the fault injection spec parser (KAIORETRY_INJECT).  An
 * accepted spec holds sane rules, each error of its family's kind (the
 * injectors build the failure from it); a refused one leaves the rules
 * as they were and says why in a NUL-terminated message. */
#include <stdint.h>

#include "errnames.h"
#include "inject_spec.h"
#include "invariants.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct inject_spec spec, before;
	char why[INJECT_WHY_MAX];
	char *text = malloc(size ? size : 1);
	memcpy(text, data, size);
	memset(&spec, 0, sizeof(spec));
	spec.count = 1;
	spec.rule[0].p = 0.5;
	before = spec;
	memset(why, 'x', sizeof(why));
	if (inject_parse(text, size, &spec, why)) {
		REQUIRE(spec.count >= 0 && spec.count <= INJECT_RULES_MAX);
		for (int i = 0; i < spec.count; i++) {
			const struct inject_rule *r = &spec.rule[i];
			REQUIRE(inject_calls_any(&r->calls));
			REQUIRE(r->family >= 0 && r->family < FAMILY_COUNT);
			REQUIRE(r->error_count >= 0 &&
				r->error_count <= INJECT_ERRORS_MAX);
			REQUIRE(isfinite(r->delay) && r->delay >= 0);
			REQUIRE(isfinite(r->delay_max) &&
				r->delay_max >= r->delay && r->delay_max <= 3600);
			REQUIRE(isfinite(r->hang) && r->hang >= 0 &&
				r->hang <= 3600);
			REQUIRE(r->at_from_ns < r->at_until_ns);
			/* hang= and limit= always have an error to fail with;
			 * they act on bytes of the byte families only */
			REQUIRE(!(r->hang || r->limit) || r->error_count > 0);
			REQUIRE(!(r->limit || r->rate) ||
				r->family == FAMILY_READ ||
				r->family == FAMILY_WRITE ||
				r->family == FAMILY_RECV ||
				r->family == FAMILY_SEND);
			REQUIRE(r->error_count || r->delay_max > 0 ||
				r->short_bytes || r->hang || r->limit ||
				r->rate);
			REQUIRE(isfinite(r->p) && r->p >= 0 && r->p <= 1);
			REQUIRE(r->when_first <= r->when_last);
			REQUIRE(memchr(r->host, '\0', sizeof(r->host)));
			/* path= only where a descriptor names a file */
			REQUIRE(memchr(r->path, '\0', sizeof(r->path)));
			REQUIRE(!r->path[0] || r->family == FAMILY_OPEN ||
				r->family == FAMILY_READ ||
				r->family == FAMILY_WRITE ||
				r->family == FAMILY_DISK);
			REQUIRE(memchr(r->text, '\0', sizeof(r->text)));
			for (int e = 0; e < r->error_count; e++) {
				int c = r->errors[e];
				if (r->family == FAMILY_RESOLVER)
					REQUIRE(herrno_code_is(c));
				else if (r->family == FAMILY_GETADDRINFO)
					REQUIRE(c < 0 && !herrno_code_is(c));
				else
					REQUIRE(c > 0);
			}
			for (uint64_t n = 0; n < 40; n++)
				(void)inject_when_selects(r, n);
		}
	} else {
		REQUIRE(memchr(why, '\0', sizeof(why)) && why[0] != '\0');
		REQUIRE(memcmp(&spec, &before, sizeof(spec)) == 0);
	}
	uint64_t seed = 7;
	const char *bad = inject_parse_seed(text, size, &seed);
	if (bad)
		REQUIRE(seed == 7 && *bad);
	free(text);
	return 0;
}
