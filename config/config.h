/* config.h: the configuration the shim runs with, and how it is loaded.
 *
 * Sources, lowest precedence first: built-in defaults, INI [default],
 * INI [family], INI [program:NAME], INI [program:NAME/family], INI
 * [family PATTERN] (destination.h), generic KAIORETRY_KEY, per-family
 * KAIORETRY_FAMILY_KEY.
 * Loading never fails: problems are collected, and any problem turns the
 * whole configuration into a pass-through (the program runs untouched). */
#ifndef KAIORETRY_CONFIG_H
#define KAIORETRY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "destination.h"
#include "inject_spec.h"
#include "policy.h"

/* The per-family keys, in the order --explain shows them. */
#define POLICY_KEYS(X) \
	X(TRIES, tries) \
	X(DELAY, delay) \
	X(BACKOFF, backoff) \
	X(JITTER, jitter) \
	X(MIN_DELAY, min_delay) \
	X(MAX_DELAY, max_delay) \
	X(ERRORS, errors) \
	X(NONBLOCKING, nonblocking) \
	X(DEADLINE, deadline) \
	X(ATTEMPT_TIMEOUT, attempt_timeout) \
	X(READY, ready) \
	X(SPREAD, spread) \
	X(BUDGET, budget) \
	X(BUDGET_MIN, budget_min) \
	X(BUDGET_SCOPE, budget_scope)

enum policy_key {
#define X(UPPER, lower) KEY_##UPPER,
	POLICY_KEYS(X)
#undef X
	POLICY_KEY_COUNT
};

enum log_sink { SINK_SYSLOG, SINK_STDERR, SINK_FILE, SINK_NONE, SINK_JOURNAL };
/* How syslog records are framed: RFC 3164 text, or RFC 5424 with the
 * series' facts as structured data. */
enum log_format { LOG_FORMAT_RFC3164, LOG_FORMAT_RFC5424 };

#define CONFIG_PATH_MAX 256
/* A variable name or file:line; room for the whole path, so a message
 * never loses its line number. */
#define ORIGIN_MAX (CONFIG_PATH_MAX + 16)
/* The message after the origin: room for a fault injection rule and why. */
#define PROBLEM_MAX (ORIGIN_MAX + INJECT_WHY_MAX)
#define PROBLEMS_KEPT 16

struct log_settings {
	enum log_sink sink;
	char path[CONFIG_PATH_MAX];	/* socket (syslog, journal) or file */
	int facility;			/* LOG_USER, LOG_DAEMON, ... */
	int level;			/* highest severity number sent */
	enum log_format format;		/* syslog only */
};

#define PROGRAM_NAME_MAX 64

/* Where the host table lives (key `table`, common/hosttable.h): auto is
 * /run/user/UID when it is the user's, else /dev/shm. */
enum table_place { TABLE_AUTO, TABLE_OFF, TABLE_DIR };

struct config {
	bool pass_through;	/* KAIORETRY=off, or a problem below */
	bool strict;		/* KAIORETRY_STRICT=1: exit EX_CONFIG
				 * (sysexits.h) on a problem */
	struct policy policy[FAMILY_COUNT];
	struct log_settings log;
	enum table_place table_place;
	char table_dir[CONFIG_PATH_MAX];	/* TABLE_DIR: absolute */
	char file[CONFIG_PATH_MAX];	/* INI file read, "" if none */

	/* The names this program goes by (basename of /proc/self/exe and
	 * of argv[0]), which [program:NAME] and `programs =` match.  While
	 * loading, read_exe, when set, still has to supply the first. */
	char program[2][PROGRAM_NAME_MAX];
	const char *(*read_exe)(char *buf, size_t size);
	bool program_unselected;	/* `programs =` does not name it */

	int problem_count;
	int destination_count;
	uint16_t origin_set[FAMILY_COUNT];	/* bit per key: origin set */

	/* The bulk arrays come last, each read only below its count or
	 * under its bit: loading leaves them unzeroed, so the start-up
	 * writes (and faults in) only the first page of these 53 KB. */
	struct inject_spec inject;	/* fault injection; count 0: off */

	/* Where each value came from: "file:line" or a variable name,
	 * where the key's bit is set in origin_set; config_origin() says
	 * "built-in" for the others.  Only --explain and messages read it. */
	char origin[FAMILY_COUNT][POLICY_KEY_COUNT][ORIGIN_MAX];

	char problem[PROBLEMS_KEPT][PROBLEM_MAX];

	/* [connect PATTERN] and [getaddrinfo PATTERN] sections. */
	struct destination destination[DESTINATIONS_MAX];
};

/* Where the configuration comes from.  The shim passes its environment;
 * tests and the kaioretry tool pass their own. */
struct config_sources {
	char *const *env;	/* NULL-terminated NAME=VALUE list */
	bool secure;		/* AT_SECURE: ignore env and KAIORETRY_CONFIG */
	const char *default_file;	/* read when it exists and no
					 * KAIORETRY_CONFIG is given */
	const char *program[2];	/* exe and argv[0] paths, or NULL */
	/* With program[0] NULL: reads the exe path into buf, only if a
	 * [program:NAME] section or `programs =` asks for it (in a fresh
	 * process a readlink of /proc/self/exe costs some 40 us). */
	const char *(*read_exe)(char *buf, size_t size);
};

/* The policy for a call aimed at this target: the most specific
 * destination section's, else the family's.  `addr` for connect,
 * `node` for getaddrinfo; both NULL for calls without a target. */
const struct policy *config_policy_for(const struct config *cfg,
				       enum family family,
				       const struct sockaddr *addr,
				       socklen_t addr_len, const char *node);

void config_load(struct config *cfg, const struct config_sources *src);

/* Where key k of family f came from: "built-in", "file:line" or a
 * variable name. */
const char *config_origin(const struct config *cfg, int f, int k);

/* Only the INI file: every problem in it, for `kaioretry --check`. */
void config_check_file(struct config *cfg, const char *path);
/* The same for INI text already in memory (fuzzing, tests). */
void config_check_text(struct config *cfg, const char *name,
		       const char *text, size_t len);

/* Records a problem: "origin: message".  Exposed for the loaders. */
void config_problem(struct config *cfg, const char *origin,
		    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
