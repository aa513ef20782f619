/* inject_control.c: the process's side of `kaioretry fault PID`.
 *
 * At start a process with injection on creates its page (see
 * common/control_page.h): a System V shared memory segment,
 * IPC_PRIVATE, mode 0600, attached and at once marked for removal, so
 * that it has no name, cannot be truncated, and goes when the last
 * process attached to it does.  The program sees no descriptor of
 * ours.  Only its own user (or root) can attach it, which the kernel
 * checks.  No thread and no signal: each call of the injection path
 * compares the page's generation with the one in force
 * (inject_control_poll), and the first call after a change puts the
 * new rules in force (inject_rules.h), so a change acts on the next
 * call.  A rule the parser refuses, or a page holding garbage, changes
 * nothing: the old rules stay.
 *
 * A fork child gets a page of its own, listing the rules it inherited,
 * and detaches its parent's; exec and exit detach by themselves.
 * Everything here uses raw system calls, which no wrapper sees. */
#include "inject_control.h"

#include <errno.h>
#include <pthread.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <unistd.h>

#include "../config/errnames.h"
#include "inject_rules.h"
#include "inject_toxics.h"
#include "log.h"
#include "sysv.h"

static const uint32_t no_page;
const uint32_t *inject_control_generation = &no_page;
uint32_t inject_control_seen;

static struct control_page *page;
static int shmid;			/* the page's segment */
static int failed_errno;		/* why there is no page */
static pid_t owner;			/* the pid the page is for */
static const struct log_settings *log_to;
static int applying;			/* one thread applies at a time */
static struct control_rules copy;	/* under `applying` */
static struct inject_spec parsed;	/* under `applying` */

/* A new private segment for the page, attached and marked for
 * removal; NULL, and errno, when the kernel (limits, seccomp) says no. */
static struct control_page *attach_new(void)
{
	struct shmid_ds info;
	if (!sysv_removal_allowed(&info))
		return NULL;
	int id = (int)syscall(SYS_shmget, IPC_PRIVATE,
			      sizeof(struct control_page), IPC_CREAT | 0600);
	if (id < 0)
		return NULL;
	void *m = (void *)syscall(SYS_shmat, id, NULL, 0);
	int failed = m == (void *)-1 ? errno : 0;
	/* Marked at once: nothing of it outlives its last attacher. */
	if (syscall(SYS_shmctl, id, IPC_RMID, NULL) != 0 && !failed) {
		failed = errno;
		syscall(SYS_shmdt, m);
	}
	if (failed) {
		errno = failed;
		return NULL;
	}
	shmid = id;
	return m;
}

/* The rules in force, as the page lists them. */
static void list_in_force(struct control_rules *out)
{
	uint64_t in_force = inject_rules_in_force();
	uint64_t defined = inject_rules_defined();
	out->count = 0;
	out->next_id = 1;
	for (int i = 0; i < INJECT_SLOTS; i++) {
		if (defined >> i & 1)
			out->next_id = (uint32_t)i + 2;
		if (!(in_force >> i & 1))
			continue;
		struct control_rule *r = &out->rule[out->count++];
		r->id = (uint32_t)i + 1;
		__builtin_strncpy(r->text, inject_rule_of(i)->text,
				  CONTROL_TEXT_MAX - 1);
		r->text[CONTROL_TEXT_MAX - 1] = '\0';
	}
}

/* This process's page; false, and no page, when the kernel says no. */
static bool create_page(pid_t pid)
{
	struct control_page *p = attach_new();
	if (!p) {
		failed_errno = errno;
		return false;
	}
	p->magic = CONTROL_MAGIC;
	p->size = sizeof(*p);
	p->pid = pid;
	list_in_force(&copy);
	control_publish(p, &copy);
	p->applied = p->generation;
	page = p;
	owner = pid;
	__atomic_store_n(&inject_control_seen, p->generation, __ATOMIC_RELAXED);
	__atomic_store_n(&inject_control_generation, &p->generation,
			 __ATOMIC_RELEASE);
	return true;
}

static void drop_page(void)
{
	__atomic_store_n(&inject_control_generation, &no_page,
			 __ATOMIC_RELEASE);
	__atomic_store_n(&inject_control_seen, 0, __ATOMIC_RELAXED);
	page = NULL;
}

/* "fault injection rule 3 'connect:error=EIO' added at 1.25 s (kaioretry fault)" */
static void log_change(int slot, const char *what, uint64_t ns)
{
	struct text t;
	log_line_begin(&t);
	text_str(&t, "fault injection ");
	log_rule_name(&t, slot, inject_rule_of(slot)->text);
	text_str(&t, what);
	text_decimal(&t, (double)(ns / 1000000) / 1000);
	text_str(&t, " s (kaioretry fault)");
	log_send(log_to, LOG_NOTICE, &t);
}

static void refuse(uint32_t generation, const char *why)
{
	struct text t;
	__builtin_strncpy(page->refused, why, CONTROL_WHY_MAX - 1);
	page->refused[CONTROL_WHY_MAX - 1] = '\0';
	__atomic_store_n(&page->refused_generation, generation,
			 __ATOMIC_RELEASE);
	log_line_begin(&t);
	text_str(&t, "fault injection: kaioretry fault refused, the rules "
		 "stay: ");
	text_escaped(&t, why, __builtin_strlen(why));
	log_send(log_to, LOG_WARNING, &t);
}

/* Puts `copy` in force: every new rule parsed first, so a refused one
 * changes nothing. */
static void put_in_force(uint32_t generation)
{
	uint64_t before = inject_rules_in_force(), defined =
		inject_rules_defined(), after = 0, fresh = 0;
	char why[INJECT_WHY_MAX];
	for (uint32_t i = 0; i < copy.count; i++) {
		int slot = (int)copy.rule[i].id - 1;
		const char *text = copy.rule[i].text;
		if (defined >> slot & 1) {
			/* a number is never reused: a cleared one stays so */
			after |= (before >> slot & 1) << slot;
			continue;
		}
		if (!inject_parse(text, __builtin_strlen(text), &parsed, why)) {
			refuse(generation, why);
			return;
		}
		if (parsed.count != 1) {
			refuse(generation, "expected one rule");
			return;
		}
		inject_rules_fill(slot, &parsed.rule[0]);
		inject_toxics_prepare(slot, inject_rule_of(slot));
		after |= (uint64_t)1 << slot;
		fresh |= (uint64_t)1 << slot;
	}
	inject_rules_set(after);
	for (int slot = 0; slot < INJECT_SLOTS; slot++) {
		if (fresh >> slot & 1)
			log_change(slot, " added at ",
				   inject_lifetime_of(slot).added_ns);
		else if ((before & ~after) >> slot & 1)
			log_change(slot, " cleared at ",
				   inject_lifetime_of(slot).cleared_ns);
	}
}

void inject_control_apply(void)
{
	uint32_t generation;
	int saved = errno;
	if (!page || __atomic_exchange_n(&applying, 1, __ATOMIC_ACQUIRE))
		return;
	int got = control_snapshot(page, &copy, &generation);
	if (got > 0)
		put_in_force(generation);
	else if (got < 0)
		refuse(generation, "the control page is malformed");
	if (got != 0) {
		__atomic_store_n(&page->applied, generation, __ATOMIC_RELEASE);
		__atomic_store_n(&inject_control_seen, generation,
				 __ATOMIC_RELEASE);
	}
	__atomic_store_n(&applying, 0, __ATOMIC_RELEASE);
	errno = saved;
}

/* The child of fork() follows its own page, never its parent's. */
static void child_page(void)
{
	struct control_page *inherited = page;
	int saved = errno;
	applying = 0;
	if (!inherited)
		return;
	drop_page();
	if (!create_page((pid_t)syscall(SYS_getpid))) {
		struct text t;
		log_line_begin(&t);
		text_str(&t, "fault injection: no run-time control in this "
			 "fork child: its control page could not be made");
		log_send(log_to, LOG_WARNING, &t);
	}
	syscall(SYS_shmdt, inherited);
	errno = saved;
}

void inject_control_start(const struct config *cfg)
{
	struct text t;
	int saved = errno;
	log_to = &cfg->log;
	log_line_begin(&t);
	if (create_page((pid_t)syscall(SYS_getpid))) {
		pthread_atfork(NULL, NULL, child_page);
		text_str(&t, "fault injection: run-time control by `kaioretry "
			 "fault ");
		text_int(&t, owner);
		text_str(&t, "` (System V shared memory ");
		text_int(&t, shmid);
		text_str(&t, ")");
	} else {
		text_str(&t, "fault injection: no run-time control: no System V "
			 "shared memory segment: ");
		const char *name = errname_of(failed_errno);
		text_str(&t, name ? name : "refused");
	}
	log_send(log_to, LOG_INFO, &t);
	errno = saved;
}
