/* values.h: parsers for the values a setting can take.
 *
 * Each takes the text and its length (no NUL needed), stores the result
 * and returns NULL, or returns why the text was refused.  They accept
 * only the plain forms people write (12, 0.5, -1, ECONNREFUSED) and
 * refuse what strtod would quietly take (1e999, nan, 0x10, " 1,5"). */
#ifndef KAIORETRY_VALUES_H
#define KAIORETRY_VALUES_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

/* Longest number of seconds any duration may hold: one year. */
#define SECONDS_MAX 31536000.0

const char *parse_tries(const char *text, size_t len, int *tries);
const char *parse_seconds(const char *text, size_t len, double *seconds);
const char *parse_backoff(const char *text, size_t len, double *factor);
/* A number, or a range "A..B" with A <= B. */
const char *parse_jitter(const char *text, size_t len, double *lo, double *hi);
/* Comma-separated error names, or "all". */
const char *parse_errors(const char *text, size_t len, struct errset *set);
/* Comma-separated family names, or "all". */
const char *parse_families(const char *text, size_t len, bool enabled[FAMILY_COUNT]);
/* 1/0, yes/no, on/off, true/false. */
const char *parse_switch(const char *text, size_t len, bool *on);

/* Calls `each` for every comma-separated item, trimmed; stops at the
 * first refusal and returns it. */
const char *parse_list(const char *text, size_t len, void *ctx,
		       const char *(*each)(void *, const char *, size_t));

/* Case-insensitive comparison of name[0..len) with word: how keys,
 * sections and word values (none, off, full) are recognised. */
int name_is(const char *name, size_t len, const char *word);

/* Trims spaces and tabs from both ends of text[0..*len). */
const char *trim(const char *text, size_t *len);

#endif
