/* fuzz_ini: the INI tokenizer and the loader behind it.  Every token
 * must lie inside the input and hold no NUL or newline; whatever the
 * text, the resulting configuration is sane or a pass-through. */
#include <stdint.h>

#include "ini.h"
#include "invariants.h"

static const char *start, *end;

static void require_inside(const char *p, size_t len)
{
	REQUIRE(p >= start && p + len <= end);
	REQUIRE(!memchr(p, '\0', len) && !memchr(p, '\n', len));
}

static void on_section(void *ctx, int line, const char *name, size_t len)
{
	(void)ctx;
	REQUIRE(line >= 1);
	require_inside(name, len);
}

static void on_entry(void *ctx, int line, const char *key, size_t key_len,
		     const char *value, size_t value_len)
{
	(void)ctx;
	REQUIRE(line >= 1 && key_len > 0 && key_len <= INI_LINE_MAX);
	require_inside(key, key_len);
	require_inside(value, value_len);
	REQUIRE(!memchr(key, '=', key_len));
}

static void on_problem(void *ctx, int line, const char *message)
{
	(void)ctx;
	REQUIRE(line >= 1 && message && *message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	const struct ini_handler h = {
		.section = on_section, .entry = on_entry, .problem = on_problem,
	};
	start = (const char *)data;
	end = start + size;
	ini_parse(start, size, &h);
	config_check_text(&cfg, "fuzz.ini", start, size);
	require_sane_config(&cfg);
	return 0;
}
