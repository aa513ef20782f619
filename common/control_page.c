/* control_page.c: reading and writing the run-time control page of
 * control_page.h, shared by the library and the command so that they
 * agree on it.  No allocation, no libc but memcpy. */
#include "control_page.h"

static bool well_formed(const struct control_rules *r)
{
	if (r->count > CONTROL_RULES_MAX || r->next_id > CONTROL_IDS_MAX + 1)
		return false;
	for (uint32_t i = 0; i < r->count; i++) {
		const struct control_rule *rule = &r->rule[i];
		if (rule->id == 0 || rule->id >= r->next_id ||
		    !__builtin_memchr(rule->text, '\0', CONTROL_TEXT_MAX))
			return false;
		for (uint32_t j = 0; j < i; j++)
			if (r->rule[j].id == rule->id)
				return false;
	}
	return true;
}

int control_snapshot(const struct control_page *page,
		     struct control_rules *out, uint32_t *generation)
{
	uint32_t before = __atomic_load_n(&page->generation, __ATOMIC_ACQUIRE);
	if (before & 1)
		return 0;
	__builtin_memcpy(out, &page->rules, sizeof(*out));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&page->generation, __ATOMIC_RELAXED) != before)
		return 0;
	*generation = before;
	return well_formed(out) ? 1 : -1;
}

void control_publish(struct control_page *page,
		     const struct control_rules *rules)
{
	/* From even (odd only if a writer died mid-way) to the next odd. */
	uint32_t g = __atomic_load_n(&page->generation, __ATOMIC_RELAXED);
	uint32_t writing = (g | 1) + ((g & 1) ? 2 : 0);
	__atomic_store_n(&page->generation, writing, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__builtin_memcpy(&page->rules, rules, sizeof(*rules));
	__atomic_store_n(&page->generation, writing + 1, __ATOMIC_RELEASE);
}
