/* fault.c: `kaioretry fault PID list | add RULE | clear [N]`, the
 * command's side of run-time control (common/control_page.h; the
 * process's side is shim/inject_control.c).
 *
 * A rule is checked by the library's own parser before anything is
 * written, so it is refused with the words `kaioretry --check` uses and
 * the process's rules stay.  The page, a System V segment, is found
 * through the process's own /proc/PID/maps (the `/SYSV` line's inode is
 * its shmid), checked with IPC_STAT to have been made by that process,
 * and attached with the caller's rights: the kernel lets only the
 * process's user (or root) attach it.  Writers take the page's `writer`
 * word, one at a time. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#include "../../common/control_page.h"
#include "cli.h"

#define EX_USAGE 64

static const char *pid_text;

static int fail(const char *what)
{
	fprintf(stderr, "kaioretry: fault %s: %s\n", pid_text, what);
	return 1;
}

static const char permission[] = "Permission denied (only its own user "
	"or root may change its rules)";

/* Attaches segment `id` if it is the page `pid` made; NULL if not. */
static struct control_page *attach_if_page(int id, pid_t pid, int *err)
{
	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds) != 0) {
		*err = errno;
		return NULL;
	}
	if (ds.shm_cpid != pid || ds.shm_segsz != sizeof(struct control_page) ||
	    ds.shm_perm.__key != IPC_PRIVATE)
		return NULL;
	struct control_page *page = shmat(id, NULL, 0);
	if (page == (void *)-1) {
		*err = errno;
		return NULL;
	}
	if (page->magic == CONTROL_MAGIC && page->size == sizeof(*page) &&
	    page->pid == pid)
		return page;
	shmdt(page);
	return NULL;
}

/* PID's control page, attached; NULL after saying why. */
static struct control_page *attach_page(pid_t pid)
{
	char maps[32], line[512];
	struct control_page *page = NULL;
	int err = 0;
	if (kill(pid, 0) != 0 && errno == ESRCH) {
		fail("no such process");
		return NULL;
	}
	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(maps, "re");
	if (!f) {
		fail(errno == EACCES || errno == EPERM ? permission :
		     strerror(errno));
		return NULL;
	}
	while (!page && fgets(line, sizeof(line), f)) {
		unsigned long inode;
		char name[16];
		if (sscanf(line, "%*s %*s %*s %*s %lu /%15s", &inode, name) == 2 &&
		    strncmp(name, "SYSV", 4) == 0 && inode <= 0x7fffffff)
			page = attach_if_page((int)inode, pid, &err);
	}
	if (!page && ferror(f))
		err = errno;
	fclose(f);
	if (page)
		return page;
	if (err == EACCES || err == EPERM)
		fail(permission);
	else if (err)
		fail(strerror(err));
	else
		fail("it takes no run-time control: only a process started "
		     "with fault injection on (any rules, or "
		     "KAIORETRY_INJECT=control) does");
	return NULL;
}

static bool gone(pid_t pid)
{
	return kill(pid, 0) != 0 && errno == ESRCH;
}

/* Makes us the page's one writer, taking over from a dead one, waiting
 * up to a second for a live one; false after saying why. */
static bool become_writer(struct control_page *page)
{
	int32_t me = (int32_t)getpid();
	for (int waited = 0; waited <= 100; waited++) {
		int32_t holder = 0;
		if (__atomic_compare_exchange_n(&page->writer, &holder, me, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
		if ((holder < 0 || gone(holder)) &&
		    __atomic_compare_exchange_n(&page->writer, &holder, me,
						false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	fail("another `kaioretry fault` is changing its rules; try again");
	return false;
}

static void stop_writing(struct control_page *page)
{
	int32_t me = (int32_t)getpid();
	__atomic_compare_exchange_n(&page->writer, &me, 0, false,
				    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

static int list(const struct control_page *page, const struct control_rules *r,
		uint32_t generation)
{
	for (uint32_t i = 0; i < r->count; i++)
		printf("%u\t%s\n", r->rule[i].id, r->rule[i].text);
	if (r->count == 0)
		printf("no rules\n");
	if (__atomic_load_n(&page->refused_generation, __ATOMIC_ACQUIRE) ==
	    generation)
		printf("the process refused the last change, its rules stay: "
		       "%.*s\n", CONTROL_WHY_MAX, page->refused);
	else if (__atomic_load_n(&page->applied, __ATOMIC_ACQUIRE) !=
		 generation)
		printf("(not in force yet: the process has made no call "
		       "since the last change)\n");
	return 0;
}

static int add(struct control_page *page, struct control_rules *r,
	       const char *rule)
{
	struct control_rule *slot;
	char why[INJECT_WHY_MAX + 64];
	if (r->count == CONTROL_RULES_MAX) {
		snprintf(why, sizeof(why), "it has %d rules, the most at once",
			 CONTROL_RULES_MAX);
		return fail(why);
	}
	if (r->next_id > CONTROL_IDS_MAX) {
		snprintf(why, sizeof(why), "it has had %d rules, the most in "
			 "one run", CONTROL_IDS_MAX);
		return fail(why);
	}
	slot = &r->rule[r->count++];
	slot->id = r->next_id++;
	snprintf(slot->text, sizeof(slot->text), "%s", rule);
	control_publish(page, r);
	printf("rule %u added: %s\n", slot->id, slot->text);
	return 0;
}

static int clear(struct control_page *page, struct control_rules *r,
		 const char *number)
{
	char *end;
	uint32_t kept = 0;
	unsigned long id = number ? strtoul(number, &end, 10) : 0;
	if (number && (!*number || *end || id == 0))
		return fail("clear takes a rule number (kaioretry fault PID "
			    "list shows them)");
	for (uint32_t i = 0; i < r->count; i++)
		if (number && r->rule[i].id != id)
			r->rule[kept++] = r->rule[i];
	if (number && kept == r->count) {
		char why[96];
		snprintf(why, sizeof(why), "it has no rule %lu (kaioretry fault "
			 "%s list shows them)", id, pid_text);
		return fail(why);
	}
	r->count = kept;
	control_publish(page, r);
	if (number)
		printf("rule %lu cleared\n", id);
	else
		printf("all rules cleared\n");
	return 0;
}

/* The rule as `kaioretry --check` would take it; NULL, or why not. */
static const char *refused(const char *rule, char why[INJECT_WHY_MAX])
{
	static struct inject_spec spec;
	if (!inject_parse(rule, strlen(rule), &spec, why))
		return why;
	if (spec.count != 1)
		return "add takes one rule";
	if (strlen(rule) >= CONTROL_TEXT_MAX)
		return "the rule is longer than 255 bytes";
	return NULL;
}

int fault_command(int argc, char **argv)
{
	char why[INJECT_WHY_MAX], *end;
	struct control_rules rules;
	uint32_t generation;
	int rc;
	if (argc < 2)
		goto usage;
	pid_text = argv[0];
	long pid = strtol(argv[0], &end, 10);
	const char *op = argv[1];
	bool is_list = argc == 2 && strcmp(op, "list") == 0;
	bool is_add = argc == 3 && strcmp(op, "add") == 0;
	bool is_clear = (argc == 2 || argc == 3) && strcmp(op, "clear") == 0;
	if (!*argv[0] || *end || pid <= 0 || pid > 0x7fffffff ||
	    !(is_list || is_add || is_clear))
		goto usage;
	const char *bad = is_add ? refused(argv[2], why) : NULL;
	if (bad) {
		fprintf(stderr, "kaioretry: fault %s add: %s\n", pid_text, bad);
		return 1;
	}
	struct control_page *page = attach_page((pid_t)pid);
	if (!page)
		return 1;
	if (!become_writer(page)) {
		shmdt(page);
		return 1;
	}
	int got = control_snapshot(page, &rules, &generation);
	if (got <= 0 && !(is_clear && argc == 2))
		rc = fail("its control page is damaged (a writer stopped "
			  "half-way); `clear` with no number repairs it");
	else if (got <= 0)
		rules.next_id = CONTROL_IDS_MAX + 1, rc = clear(page, &rules, NULL);
	else if (is_list)
		rc = list(page, &rules, generation);
	else if (is_add)
		rc = add(page, &rules, argv[2]);
	else
		rc = clear(page, &rules, argc == 3 ? argv[2] : NULL);
	stop_writing(page);
	shmdt(page);
	return rc;
usage:
	fputs("usage: kaioretry fault PID list | add RULE | clear [N]\n",
	      stderr);
	return EX_USAGE;
}
