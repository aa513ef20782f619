/* glob.c: wildcard matching (see glob.h).  The classic greedy matcher
 * that remembers only the last '*': linear for one star, at worst
 * pattern x text, never recursive. */
#include "glob.h"

static char folded(char c, bool fold_case)
{
	return fold_case && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool glob_match(const char *p, size_t plen, const char *t, size_t tlen,
		bool fold_case)
{
	size_t pi = 0, ti = 0, star = (size_t)-1, resume = 0;
	while (ti < tlen) {
		if (pi < plen && p[pi] == '*') {
			star = pi++;
			resume = ti;
		} else if (pi < plen && (p[pi] == '?' ||
			   folded(p[pi], fold_case) == folded(t[ti], fold_case))) {
			pi++;
			ti++;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			ti = ++resume;
		} else {
			return false;
		}
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

size_t glob_literals(const char *p, size_t plen)
{
	size_t n = 0;
	for (size_t i = 0; i < plen; i++)
		n += p[i] != '*' && p[i] != '?';
	return n;
}

bool glob_is_literal(const char *p, size_t plen)
{
	return glob_literals(p, plen) == plen;
}
