/* hosttable.c: this process's side of the host table (hosttable.h).
 *
 * The name file is opened with O_NOFOLLOW, checked with fstat (a
 * regular file of our user, mode 0600) and its record read with one
 * bounded read; the segment it names must be, by IPC_STAT, a private
 * 0600 segment our user made and owns, of the table's size, and is then
 * attached.  With no name file yet, the process makes the segment and
 * links a file naming it into place; one that loses that race removes
 * its segment and attaches the winner's.  The segment stays when its
 * processes exit, so their counts do.  No fd stays open, so the program
 * never sees one.  All of it runs with signals blocked, so a handler
 * that jumps out cannot leave an fd behind, and in memory mapped for
 * the purpose: a series may run on a handler's small alternate stack.
 *
 * File and segment are writable by every process of the user, so
 * neither is trusted: a record that names no table of ours, or a header
 * without our magic, version and geometry, means no table; slot states
 * other than free, claiming and ready keep a slot out of use; keys are
 * compared byte for byte, never parsed; counters are only added to.
 * Nothing read from the table decides a retry, except the host budget's words (budget.c), which decode to
 * counts whatever they hold.  A segment cannot be truncated; the name
 * file can, which only changes what later processes find. */
#include "hosttable.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../common/hosttable.h"
#include "blockall.h"
#include "sysv.h"
#include "target.h"

_Static_assert(FAMILY_COUNT <= HOSTTABLE_FAMILIES, "budget words per family");

enum { UNTRIED, OPENING, SETTLED };
static int open_state;
static struct hosttable_header *table;	/* NULL: no table */

/* Scratch memory of one call here, mapped for it (see the top). */
struct scratch {
	struct text path;		/* the name file's */
	struct text text;		/* a temporary name; the target's */
	struct hosttable_key key;
	struct stat st;
	struct shmid_ds ds;
	char record[HOSTTABLE_RECORD_MAX];
};

static struct scratch *scratch_map(void)
{
	long p = syscall(SYS_mmap, NULL, sizeof(struct scratch),
			 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	return p < 0 && p > -4096 ? NULL : (struct scratch *)p;
}

static void scratch_unmap(struct scratch *s)
{
	syscall(SYS_munmap, s, sizeof(*s));
}

/* /run/user/UID when it is the user's directory, else /dev/shm. */
static void table_path(struct text *t, const struct config *cfg,
		       struct stat *st, unsigned uid)
{
	t->len = 0;
	t->buf[0] = '\0';
	if (cfg->table_place == TABLE_DIR) {
		text_str(t, cfg->table_dir);
	} else {
		text_str(t, "/run/user/");
		text_uint(t, uid);
		if (syscall(SYS_stat, t->buf, st) != 0 ||
		    !S_ISDIR(st->st_mode) || st->st_uid != uid) {
			t->len = 0;
			text_str(t, "/dev/shm");
		}
	}
	text_str(t, "/" HOSTTABLE_NAME_PREFIX);
	text_uint(t, uid);
	text_str(t, HOSTTABLE_NAME_SUFFIX);
}

/* The header of a segment this process made. */
static void set_up(struct hosttable_header *h)
{
	__atomic_store_n(&h->version, HOSTTABLE_VERSION, __ATOMIC_RELAXED);
	__atomic_store_n(&h->header_size, HOSTTABLE_HEADER_SIZE,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&h->slot_size, HOSTTABLE_SLOT_SIZE, __ATOMIC_RELAXED);
	__atomic_store_n(&h->slot_count, HOSTTABLE_SLOTS, __ATOMIC_RELAXED);
	__atomic_store_n(&h->magic, HOSTTABLE_MAGIC, __ATOMIC_RELEASE);
}

/* h when its header is a table's; NULL otherwise.  A segment found
 * through a record is never set up: its maker did that before naming
 * it, so one without our header is someone else's (a record left from
 * another IPC namespace or boot may name the program's own segment),
 * and is never written. */
static struct hosttable_header *usable(struct hosttable_header *h)
{
	if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != HOSTTABLE_MAGIC ||
	    __atomic_load_n(&h->version, __ATOMIC_RELAXED) != HOSTTABLE_VERSION ||
	    __atomic_load_n(&h->header_size, __ATOMIC_RELAXED) !=
		    HOSTTABLE_HEADER_SIZE ||
	    __atomic_load_n(&h->slot_size, __ATOMIC_RELAXED) !=
		    HOSTTABLE_SLOT_SIZE ||
	    __atomic_load_n(&h->slot_count, __ATOMIC_RELAXED) != HOSTTABLE_SLOTS)
		return NULL;
	return h;
}

/* The shmid the name file at `path` records; -1 when there is no such
 * file (errno ENOENT) or it is not ours: a regular file of `uid`, mode
 * 0600, holding exactly a record. */
static int read_record(struct scratch *s, const char *path, unsigned uid)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path,
			      O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	long got = -1;
	if (syscall(SYS_fstat, fd, &s->st) == 0 && S_ISREG(s->st.st_mode) &&
	    s->st.st_uid == uid && (s->st.st_mode & 07777) == 0600)
		got = syscall(SYS_read, fd, s->record, sizeof(s->record));
	syscall(SYS_close, fd);
	errno = EINVAL;
	return got > 0 ? hosttable_record_shmid(s->record, got) : -1;
}

/* Segment `id` attached, when the kernel says it is a table of `uid`'s
 * and its header is ours. */
static struct hosttable_header *attach(struct scratch *s, int id,
				       unsigned uid)
{
	if (syscall(SYS_shmctl, id, IPC_STAT, &s->ds) != 0 ||
	    !hosttable_segment_ours(&s->ds, uid))
		return NULL;
	long p = syscall(SYS_shmat, id, NULL, 0);
	if (p < 0 && p > -4096)
		return NULL;
	struct hosttable_header *h = usable((struct hosttable_header *)p);
	if (!h)
		syscall(SYS_shmdt, p);
	return h;
}

/* A new segment, set up and named by a record written to a file of
 * ours beside `path`, then linked into place; NULL when that fails,
 * with errno EEXIST when another process named its own first. */
static struct hosttable_header *create(struct scratch *s, const char *path)
{
	struct text *t = &s->text;
	t->len = 0;
	t->buf[0] = '\0';
	text_str(t, path);
	text_str(t, ".new-");
	text_uint(t, (unsigned)syscall(SYS_getpid));
	if (t->len >= TEXT_MAX - 1)
		return NULL;
	/* One a killed process of this pid left (pids are unique). */
	syscall(SYS_unlinkat, AT_FDCWD, t->buf, 0);
	int fd = (int)syscall(SYS_openat, AT_FDCWD, t->buf,
			      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			      O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0)
		return NULL;
	struct hosttable_header *h = NULL;
	int failed = 0;
	int id = !sysv_removal_allowed(&s->ds) ? -1 :
		 (int)syscall(SYS_shmget, IPC_PRIVATE, (long)HOSTTABLE_SIZE,
			      IPC_CREAT | 0600);
	long p = id < 0 ? -1 : syscall(SYS_shmat, id, NULL, 0);
	if (p < 0 && p > -4096) {
		failed = errno;
	} else {
		h = (struct hosttable_header *)p;
		set_up(h);
	}
	long len = -1;
	if (h) {
		len = (long)__builtin_strlen(HOSTTABLE_RECORD_PREFIX);
		__builtin_memcpy(s->record, HOSTTABLE_RECORD_PREFIX,
				 (size_t)len);
		char digits[12];
		int n = 0;
		for (unsigned v = (unsigned)id; n == 0 || v; v /= 10)
			digits[n++] = (char)('0' + v % 10);
		while (n)
			s->record[len++] = digits[--n];
		s->record[len++] = '\n';
	}
	if (h && (syscall(SYS_fchmod, fd, 0600) != 0 ||
		  syscall(SYS_write, fd, s->record, len) != len ||
		  syscall(SYS_linkat, AT_FDCWD, t->buf, AT_FDCWD, path, 0) != 0))
		failed = errno;
	if (id >= 0 && (failed || !h)) {
		if (h)
			syscall(SYS_shmdt, h);
		h = NULL;
		syscall(SYS_shmctl, id, IPC_RMID, NULL);
	}
	syscall(SYS_close, fd);
	syscall(SYS_unlinkat, AT_FDCWD, t->buf, 0);
	errno = failed;
	return h;
}

/* The table the name file records, or a new one when there is no file
 * yet; a process that loses the race to create it reads the winner's. */
static struct hosttable_header *map_table(const struct config *cfg,
					  struct scratch *s)
{
	unsigned uid = (unsigned)syscall(SYS_geteuid);
	table_path(&s->path, cfg, &s->st, uid);
	if (s->path.len >= TEXT_MAX - 1)
		return NULL;		/* cut short: not our path */
	for (int round = 0; round < 2; round++) {
		int id = read_record(s, s->path.buf, uid);
		if (id >= 0)
			return attach(s, id, uid);
		if (errno != ENOENT)
			return NULL;
		struct hosttable_header *h = create(s, s->path.buf);
		if (h || errno != EEXIST)
			return h;
	}
	return NULL;
}

/* Once per process: a thread that finds another opening the table goes
 * on rather than wait, and its series looks for its slot at its next
 * event (a child forked mid-open never sees the table open). */
void hosttable_open(const struct config *cfg)
{
	int state = UNTRIED;
	if (__atomic_load_n(&open_state, __ATOMIC_ACQUIRE) != UNTRIED ||
	    !__atomic_compare_exchange_n(&open_state, &state, OPENING, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	int saved = errno;
	uint64_t mask = block_all_signals();
	struct scratch *s = cfg->table_place == TABLE_OFF ? NULL :
			    scratch_map();
	if (s) {
		__atomic_store_n(&table, map_table(cfg, s), __ATOMIC_RELEASE);
		scratch_unmap(s);
	}
	__atomic_store_n(&open_state, SETTLED, __ATOMIC_RELEASE);
	restore_signals(mask);
	errno = saved;
}

static struct hosttable_header *mapped(void)
{
	return __atomic_load_n(&table, __ATOMIC_ACQUIRE);
}

uint64_t *hosttable_budget_window(enum family family)
{
	struct hosttable_header *h = mapped();
	return h ? h->budget[family] : NULL;
}

static uint64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* Copies at most `size` bytes of `from`, NUL-padding the rest. */
static void key_field(char *to, size_t size, const char *from, size_t len)
{
	memset(to, 0, size);
	memcpy(to, from, len < size ? len : size);
}

static void make_key(struct scratch *sc, const struct series *s)
{
	const char *program = program_invocation_short_name;
	const char *family = family_name(s->family);
	sc->text.len = 0;
	sc->text.buf[0] = '\0';
	text_escaped(&sc->text, program, strlen(program));
	key_field(sc->key.program, sizeof(sc->key.program), sc->text.buf,
		  sc->text.len);
	sc->text.len = 0;
	sc->text.buf[0] = '\0';
	target_text(&sc->text, &s->target);
	key_field(sc->key.family, sizeof(sc->key.family), family,
		  strlen(family));
	key_field(sc->key.target, sizeof(sc->key.target), sc->text.buf,
		  sc->text.len);
}

/* FNV-1a: a quick first test before comparing keys byte for byte. */
static uint64_t key_hash(const struct hosttable_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h | 1;
}

static struct hosttable_slot *slot_at(struct hosttable_header *h, int i)
{
	return (struct hosttable_slot *)((char *)h + HOSTTABLE_HEADER_SIZE +
					 (size_t)i * HOSTTABLE_SLOT_SIZE);
}

static bool holds(struct hosttable_slot *slot, const struct hosttable_key *k,
		  uint64_t hash)
{
	return __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE) ==
		       HOSTTABLE_READY &&
	       __atomic_load_n(&slot->key_hash, __ATOMIC_RELAXED) == hash &&
	       memcmp(&slot->key, k, sizeof(*k)) == 0;
}

/* Takes `slot`, seen in state `was`, for key k: free, or ready but idle
 * past the aging rule.  False when another process took it first. */
static bool claim(struct hosttable_slot *slot, uint64_t was,
		  const struct hosttable_key *k, uint64_t hash)
{
	if (!__atomic_compare_exchange_n(&slot->state, &was, HOSTTABLE_CLAIMING,
					 false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return false;
	uint64_t *counters[] = { &slot->series, &slot->retries,
				 &slot->recoveries, &slot->giveups,
				 &slot->injected };
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		__atomic_store_n(counters[i], 0, __ATOMIC_RELAXED);
	memcpy(&slot->key, k, sizeof(*k));
	__atomic_store_n(&slot->key_hash, hash, __ATOMIC_RELAXED);
	__atomic_store_n(&slot->state, HOSTTABLE_READY, __ATOMIC_RELEASE);
	return true;
}

static bool aged(struct hosttable_slot *slot, uint64_t now)
{
	uint64_t last = __atomic_load_n(&slot->last_event_ms, __ATOMIC_RELAXED);
	return now > last && now - last >= HOSTTABLE_AGE_SECONDS * 1000ULL;
}

/* The slot of key k: found, or claimed (a free one first, then an aged
 * one); NULL when the table is full.  Two processes claiming the same
 * key at once get two slots, which the reader adds up. */
static struct hosttable_slot *find_slot(struct hosttable_header *h,
					const struct hosttable_key *k, uint64_t now)
{
	uint64_t hash = key_hash(k);
	for (int round = 0; round < 2; round++) {
		struct hosttable_slot *free_slot = NULL, *old_slot = NULL;
		for (int i = 0; i < HOSTTABLE_SLOTS; i++) {
			struct hosttable_slot *slot = slot_at(h, i);
			uint64_t state = __atomic_load_n(&slot->state,
							 __ATOMIC_RELAXED);
			if (holds(slot, k, hash))
				return slot;
			if (state == HOSTTABLE_FREE && !free_slot)
				free_slot = slot;
			else if (state == HOSTTABLE_READY && !old_slot &&
				 aged(slot, now))
				old_slot = slot;
		}
		if (free_slot && claim(free_slot, HOSTTABLE_FREE, k, hash))
			return free_slot;
		if (!free_slot && old_slot &&
		    claim(old_slot, HOSTTABLE_READY, k, hash))
			return old_slot;
	}
	return NULL;
}

static void touch(struct hosttable_slot *slot, uint64_t *counter)
{
	__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&slot->last_event_ms, now_ms(), __ATOMIC_RELAXED);
	__atomic_store_n(&slot->pid, (uint32_t)syscall(SYS_getpid),
			 __ATOMIC_RELAXED);
}

/* Finds the series' slot and counts the series, once the table is
 * settled (the first event after that). */
static void seek_slot(struct series *s, bool injected)
{
	if (s->slot_sought ||
	    __atomic_load_n(&open_state, __ATOMIC_ACQUIRE) != SETTLED)
		return;
	s->slot_sought = true;
	struct hosttable_header *h = mapped();
	if (!h)
		return;
	int saved = errno;
	uint64_t mask = block_all_signals();
	struct scratch *sc = scratch_map();
	if (sc) {
		make_key(sc, s);
		s->slot = find_slot(h, &sc->key, now_ms());
		scratch_unmap(sc);
	}
	restore_signals(mask);
	if (s->slot) {
		touch(s->slot, &s->slot->series);
		if (injected)
			__atomic_add_fetch(&s->slot->injected, 1,
					   __ATOMIC_RELAXED);
	}
	errno = saved;
}

void hosttable_started(struct series *s, bool injected)
{
	seek_slot(s, injected);
}

void hosttable_attempted(struct series *s, bool injected)
{
	seek_slot(s, false);
	if (!s->slot)
		return;
	int saved = errno;
	touch(s->slot, &s->slot->retries);
	if (injected)
		__atomic_add_fetch(&s->slot->injected, 1, __ATOMIC_RELAXED);
	errno = saved;
}

void hosttable_ended(struct series *s)
{
	seek_slot(s, false);
	if (!s->slot)
		return;
	int saved = errno;
	touch(s->slot, s->last_code == 0 ? &s->slot->recoveries :
		       &s->slot->giveups);
	errno = saved;
}
