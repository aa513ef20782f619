/* hosttable.c: this process's side of the host table (hosttable.h).
 *
 * The file is opened with O_NOFOLLOW, checked with fstat (a regular file
 * of our user, mode 0600, the table's size) and mapped shared; its fd is
 * closed right after the mmap, so the program never sees one.  All of it
 * runs with signals blocked, so a handler that jumps out cannot leave
 * an fd behind, and in memory mapped for the purpose: a series may run
 * on a handler's small alternate stack.
 *
 * The file is writable by every process of the user, so its contents
 * are never trusted: a header without our magic, version and geometry
 * means no table; slot states other than free, claiming and ready keep
 * a slot out of use; keys are compared byte for byte, never parsed;
 * counters are only added to.  Nothing read from the file decides a
 * retry, except the host budget's words (budget.c), which decode to
 * counts whatever they hold.
 *
 * A file truncated under a running process would fault on access: only
 * the user's own processes (or root) can do that. */
#include "hosttable.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../common/hosttable.h"
#include "blockall.h"
#include "target.h"

_Static_assert(FAMILY_COUNT <= HOSTTABLE_FAMILIES, "budget words per family");

enum { UNTRIED, OPENING, SETTLED };
static int open_state;
static struct hosttable_header *table;	/* NULL: no table */

/* Scratch memory of one call here, mapped for it (see the top). */
struct scratch {
	struct text text;		/* the path; the target's name */
	struct hosttable_key key;
	struct stat st;
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

/* A new file gets its mode and size; an existing one must already be
 * ours, 0600 and of the table's size (0: its creator is sizing it). */
static int open_file(const char *path, struct stat *st, unsigned uid)
{
	int flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path,
			      flags | O_CREAT | O_EXCL, 0600);
	bool created = fd >= 0;
	if (!created && errno == EEXIST)
		fd = (int)syscall(SYS_openat, AT_FDCWD, path, flags);
	if (fd < 0)
		return -1;
	if (created && syscall(SYS_fchmod, fd, 0600) != 0)
		goto refuse;
	if (syscall(SYS_fstat, fd, st) != 0 || !S_ISREG(st->st_mode) ||
	    st->st_uid != uid || (st->st_mode & 07777) != 0600)
		goto refuse;
	if (st->st_size == 0 &&
	    syscall(SYS_ftruncate, fd, (long)HOSTTABLE_SIZE) != 0)
		goto refuse;
	if (st->st_size != 0 && st->st_size != HOSTTABLE_SIZE)
		goto refuse;
	return fd;
refuse:
	syscall(SYS_close, fd);
	return -1;
}

/* The header, set up by whoever comes first; NULL when it is not ours. */
static struct hosttable_header *usable(struct hosttable_header *h)
{
	uint64_t magic = __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE);
	if (magic == 0) {
		__atomic_store_n(&h->version, HOSTTABLE_VERSION, __ATOMIC_RELAXED);
		__atomic_store_n(&h->header_size, HOSTTABLE_HEADER_SIZE,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&h->slot_size, HOSTTABLE_SLOT_SIZE,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&h->slot_count, HOSTTABLE_SLOTS,
				 __ATOMIC_RELAXED);
		if (__atomic_compare_exchange_n(&h->magic, &magic,
						HOSTTABLE_MAGIC, false,
						__ATOMIC_RELEASE,
						__ATOMIC_ACQUIRE))
			magic = HOSTTABLE_MAGIC;
	}
	if (magic != HOSTTABLE_MAGIC ||
	    __atomic_load_n(&h->version, __ATOMIC_RELAXED) != HOSTTABLE_VERSION ||
	    __atomic_load_n(&h->header_size, __ATOMIC_RELAXED) !=
		    HOSTTABLE_HEADER_SIZE ||
	    __atomic_load_n(&h->slot_size, __ATOMIC_RELAXED) !=
		    HOSTTABLE_SLOT_SIZE ||
	    __atomic_load_n(&h->slot_count, __ATOMIC_RELAXED) != HOSTTABLE_SLOTS)
		return NULL;
	return h;
}

static struct hosttable_header *map_table(const struct config *cfg,
					  struct scratch *s)
{
	unsigned uid = (unsigned)syscall(SYS_geteuid);
	table_path(&s->text, cfg, &s->st, uid);
	if (s->text.len >= TEXT_MAX - 1)
		return NULL;		/* cut short: not our path */
	int fd = open_file(s->text.buf, &s->st, uid);
	if (fd < 0)
		return NULL;
	long p = syscall(SYS_mmap, NULL, (long)HOSTTABLE_SIZE,
			 PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	syscall(SYS_close, fd);
	if (p < 0 && p > -4096)
		return NULL;
	struct hosttable_header *h = usable((struct hosttable_header *)p);
	if (!h)
		syscall(SYS_munmap, p, (long)HOSTTABLE_SIZE);
	return h;
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
