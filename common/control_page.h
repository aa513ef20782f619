/* control_page.h: the file through which `kaioretry fault PID` changes
 * the injection rules of a running process (shim/inject_control.c
 * creates and reads it, config/cli/fault.c writes it).
 *
 * The file is one fixed-size page set, mode 0600 in a directory only
 * its user can enter, mapped shared by the process, which holds no
 * descriptor to it.  The command (under flock, one writer at a time)
 * writes the whole rule list, seqlock-style: `generation` is odd while
 * it writes and even after.  The process compares `generation` with the
 * last one it applied on each call of its injection path, and on a
 * change copies the list, checks that the generation did not move while
 * it copied, and applies it.  Each rule keeps its number for the
 * process's life: numbers come from `next_id` and are never reused. */
#ifndef KAIORETRY_CONTROL_PAGE_H
#define KAIORETRY_CONTROL_PAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define CONTROL_MAGIC 0x6b72636bu	/* "kcrk" */
#define CONTROL_RULES_MAX 16		/* active at once (INJECT_RULES_MAX) */
#define CONTROL_IDS_MAX 64		/* rule numbers over a process's life */
#define CONTROL_TEXT_MAX 256		/* one rule's text, with its NUL */
#define CONTROL_WHY_MAX 256
#define CONTROL_PATH_MAX 64

struct control_rules {
	uint32_t next_id;		/* the number the next rule gets */
	uint32_t count;
	struct control_rule {
		uint32_t id;		/* 1 .. CONTROL_IDS_MAX */
		char text[CONTROL_TEXT_MAX];
	} rule[CONTROL_RULES_MAX];
};

struct control_page {
	uint32_t magic;
	uint32_t size;			/* sizeof(struct control_page) */
	int32_t pid;			/* the process it controls */
	uint32_t generation;		/* even: stable; odd: being written */
	uint32_t applied;		/* the generation the process applied */
	uint32_t refused_generation;	/* the one it could not, and why: */
	char refused[CONTROL_WHY_MAX];
	struct control_rules rules;
};

/* The file's name for a process: in /run/user/UID/kaioretry/ when
 * run_user, else in /dev/shm.  out holds CONTROL_PATH_MAX bytes. */
void control_path(char *out, bool run_user, uid_t uid, pid_t pid);

/* Copies the rule list: 1, and *generation the one copied; 0 when a
 * writer was busy (an odd or moving generation); -1 when the copy of
 * *generation is malformed. */
int control_snapshot(const struct control_page *page,
		     struct control_rules *out, uint32_t *generation);

/* Writes `rules` as the next generation. */
void control_publish(struct control_page *page,
		     const struct control_rules *rules);

#endif
