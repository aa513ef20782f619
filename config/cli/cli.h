/* cli.h: the pieces of kaioretry-config, the helper behind
 * `kaioretry --check` and `kaioretry --explain`.  It links the shim's own
 * config/ objects, so the command and the library cannot disagree. */
#ifndef KAIORETRY_CLI_H
#define KAIORETRY_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../config.h"

/* Prints every family's effective policy, where each value came from
 * and the sleeps it implies.  Returns the exit status. */
int explain(FILE *out, const struct config *cfg);

/* Appends the sleeps `policy` implies, and their total, to out:
 * "sleeps 0.5 1 2 4 4 (total 11.5 s)". */
void schedule_print(FILE *out, const struct policy *policy);

/* summary.c: one policy's summary line after "family:": the keys that
 * do something, then " -> " and its schedule; and one key's value. */
void explain_summary(FILE *out, const struct policy *policy);
void print_policy_value(FILE *out, const struct policy *p,
			enum policy_key key);

/* The keys beyond kaioretry's (explain_beyond.c). */
void print_beyond_value(FILE *out, const struct policy *p, int key);
bool beyond_in_summary(const struct policy *p, int key);
/* explain_ready.c: a `ready` value as written, and what the check
 * asks and how it reads the answer, one indented line (nothing for
 * tcp). */
void print_ready(FILE *out, const struct ready_check *check);
void explain_ready(FILE *out, const struct policy *p);

/* explain_destinations.c: the [family PATTERN] sections, each with its
 * summary. */
void explain_destinations(FILE *out, const struct config *cfg);
/* explain_inject.c: the fault injection rules in words. */
void explain_inject(FILE *out, const struct config *cfg);
/* --explain --target: which section applies to TARGET, and its policy. */
int explain_target(FILE *out, const struct config *cfg, const char *target);

/* How a file is started: by the dynamic loader (LD_PRELOAD applies),
 * by the kernel alone (static), or not an ELF file we can read. */
enum linkage { LINKAGE_DYNAMIC, LINKAGE_STATIC, LINKAGE_UNKNOWN };
enum linkage elf_linkage(const char *path);

/* fault.c: `kaioretry fault PID list | add RULE | clear [N]` (argv
 * from PID on).  Returns the exit status. */
int fault_command(int argc, char **argv);

/* tables.c: the host tables this user may read (root: every user's),
 * one row per user, program, family and destination. */
struct table_row {
	unsigned uid;
	uint32_t pid;			/* of the last event */
	char program[33], family[17], target[137];
	uint64_t series, retries, recoveries, giveups, injected;
	uint64_t last_event_ms;		/* CLOCK_REALTIME */
};
struct table_rows {
	struct table_row *row;
	size_t count, size;
	size_t tables;			/* files read */
};
void tables_read(struct table_rows *rows, const struct config *cfg);
void tables_free(struct table_rows *rows);
const char *table_user_name(unsigned uid, char *buf, size_t size);

/* stats.c: `kaioretry stats --prometheus` and `kaioretry top`. */
int stats_prometheus(FILE *out, const struct config *cfg);
int stats_top(FILE *out, const struct config *cfg, bool once,
	      double interval);

/* A duration as the retry log writes it: 0.5, 1, 0.125. */
void print_seconds(FILE *out, double seconds);

#endif
