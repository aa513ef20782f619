/* control_page.h: the page through which `kaioretry fault PID` changes
 * the injection rules of a running process (shim/inject_control.c
 * creates and reads it, config/cli/fault.c writes it).
 *
 * The page is a System V shared memory segment of mode 0600, made
 * IPC_PRIVATE by the process and marked for removal at once: it has no
 * name to squat or collide on, cannot be truncated under the process,
 * and goes with the last process attached to it.  The command finds it
 * in /proc/PID/maps (a `/SYSV00000000 (deleted)` line whose inode is
 * the shmid) and attaches it with the caller's rights.  Writers take
 * `writer` (their pid, by compare-and-swap; a dead writer's is taken
 * over) and write the whole rule list, seqlock-style: `generation` is
 * odd while one writes and even after.  The process compares
 * `generation` with the last one it applied on each call of its
 * injection path, and on a change copies the list, checks that the
 * generation did not move while it copied, and applies it.  Each rule
 * keeps its number for the process's life: numbers come from `next_id`
 * and are never reused. */
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
	int32_t writer;			/* pid of the command writing, or 0 */
	uint32_t applied;		/* the generation the process applied */
	uint32_t refused_generation;	/* the one it could not, and why: */
	char refused[CONTROL_WHY_MAX];
	struct control_rules rules;
};

/* Copies the rule list: 1, and *generation the one copied; 0 when a
 * writer was busy (an odd or moving generation); -1 when the copy of
 * *generation is malformed. */
int control_snapshot(const struct control_page *page,
		     struct control_rules *out, uint32_t *generation);

/* Writes `rules` as the next generation. */
void control_publish(struct control_page *page,
		     const struct control_rules *rules);

#endif
