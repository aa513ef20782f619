/* fuzz_errnames: the errno and EAI_* name tables.  A name that maps to
 * a code must round-trip through the canonical name; any code, known or
 * not, has a description and is safe to look up and to put in a set. */
#include <stdint.h>

#include "errnames.h"
#include "invariants.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = malloc(size ? size : 1);
	memcpy(name, data, size);
	int code = errname_code(name, size);
	if (code != 0) {
		const char *canonical = errname_of(code);
		REQUIRE(canonical);
		REQUIRE(errname_code(canonical, strlen(canonical)) == code);
		struct errset set = { .all = false };
		errset_add(&set, code);
		REQUIRE(errset_has(&set, code));
	}
	free(name);

	int32_t raw = 0;
	memcpy(&raw, data, size < sizeof(raw) ? size : sizeof(raw));
	const char *d = errname_describe(raw);
	REQUIRE(d && *d);
	const char *n = errname_of(raw);
	if (n)
		REQUIRE(errname_code(n, strlen(n)) == raw);
	struct errset set = { .all = false };
	errset_add(&set, raw);
	if (raw < ERRSET_MIN || raw > ERRSET_MAX)
		REQUIRE(!errset_has(&set, raw));
	else
		REQUIRE(errset_has(&set, raw));
	return 0;
}
