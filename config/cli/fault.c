/* fault.c: `kaioretry fault PID list | add RULE | clear [N]`, the
 * command's side of run-time control (common/control_page.h; the
 * process's side is shim/inject_control.c).
 *
 * A rule is checked by the library's own parser before anything is
 * written, so it is refused with the words `kaioretry --check` uses and
 * the process's rules stay.  The file is found through the process's
 * own /proc/PID/maps, which proves the live process maps it, and opened
 * with the caller's rights: the kernel lets only the process's user (or
 * root) open it.  Writers take an exclusive flock, one at a time.
 * Files of processes that are gone are removed on the way. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
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

/* Removes our files in `dir` named PREFIX + PID whose process is gone. */
static void remove_stale(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t plen = strlen(prefix);
	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st;
		char *end;
		if (strncmp(e->d_name, prefix, plen) != 0)
			continue;
		long pid = strtol(e->d_name + plen, &end, 10);
		if (pid <= 0 || *end || kill((pid_t)pid, 0) == 0 ||
		    errno != ESRCH ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/* Whether `pid` maps `path` (1), does not (0), or we may not look (-1). */
static int maps_file(pid_t pid, const char *path)
{
	char maps[64], line[512];
	int found = 0;
	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(maps, "re");
	if (!f)
		return -1;
	size_t len = strlen(path);
	while (fgets(line, sizeof(line), f)) {
		char *at = strchr(line, '/');
		if (at && strncmp(at, path, len) == 0 &&
		    (at[len] == '\n' || at[len] == ' '))
			found = 1;
	}
	fclose(f);
	return found;
}

/* Opens PID's control file and maps it; NULL after saying why. */
static struct control_page *open_page(pid_t pid, int *fd_out)
{
	char proc[32], path[CONTROL_PATH_MAX], why[CONTROL_PATH_MAX + 160];
	struct stat owner, st;
	const char *not_controlled = "it takes no run-time control: only a "
		"process started with fault injection on (any rules, or "
		"KAIORETRY_INJECT=control) does";
	snprintf(proc, sizeof(proc), "/proc/%d", (int)pid);
	if (kill(pid, 0) != 0 && errno == ESRCH) {
		fail("no such process");
		return NULL;
	}
	if (stat(proc, &owner) != 0) {
		fail(strerror(errno));
		return NULL;
	}
	int mapped = 0;
	for (int run_user = 1; run_user >= 0 && mapped != 1; run_user--) {
		control_path(path, run_user, owner.st_uid, pid);
		mapped = maps_file(pid, path);
		if (mapped < 0 && access(path, F_OK) == 0)
			break;	/* not ours to see: the kernel will say */
	}
	if (mapped == 0) {
		fail(not_controlled);
		return NULL;
	}
	int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, sizeof(why), "%s: %s%s", path, strerror(errno),
			 errno == EACCES ? " (only its own user or root may "
			 "change its rules)" : errno == ENOENT ?
			 "; it takes no run-time control" : "");
		fail(why);
		return NULL;
	}
	struct control_page *page = MAP_FAILED;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_uid == owner.st_uid || st.st_uid == 0) &&
	    (st.st_mode & 077) == 0 && st.st_size >= (off_t)sizeof(*page))
		page = mmap(NULL, sizeof(*page), PROT_READ | PROT_WRITE,
			    MAP_SHARED, fd, 0);
	if (page == MAP_FAILED || page->magic != CONTROL_MAGIC ||
	    page->size != sizeof(*page) || page->pid != pid) {
		if (page != MAP_FAILED)
			munmap(page, sizeof(*page));
		close(fd);
		snprintf(why, sizeof(why), "%s is not a control file of this "
			 "version for it", path);
		fail(why);
		return NULL;
	}
	*fd_out = fd;
	return page;
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
	int fd, rc;
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
	char dir[CONTROL_PATH_MAX];
	control_path(dir, true, geteuid(), 0);
	*strrchr(dir, '/') = '\0';
	remove_stale(dir, "");
	remove_stale("/dev/shm", "kaioretry.");

	struct control_page *page = open_page((pid_t)pid, &fd);
	if (!page)
		return 1;
	flock(fd, LOCK_EX);
	int got = control_snapshot(page, &rules, &generation);
	if (got <= 0 && !(is_clear && argc == 2))
		rc = fail("its control file is damaged (a writer stopped "
			  "half-way); `clear` with no number repairs it");
	else if (got <= 0)
		rules.next_id = CONTROL_IDS_MAX + 1, rc = clear(page, &rules, NULL);
	else if (is_list)
		rc = list(page, &rules, generation);
	else if (is_add)
		rc = add(page, &rules, argv[2]);
	else
		rc = clear(page, &rules, argc == 3 ? argv[2] : NULL);
	munmap(page, sizeof(*page));
	close(fd);
	return rc;
usage:
	fputs("usage: kaioretry fault PID list | add RULE | clear [N]\n",
	      stderr);
	return EX_USAGE;
}
