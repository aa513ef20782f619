/* hosttable.h: the layout of the per-user host table, shared by the
 * shim that writes it (shim/hosttable.c) and the `kaioretry stats` /
 * `kaioretry top` reader (config/cli/tables.c).
 *
 * One table per user: a System V shared memory segment (IPC_PRIVATE,
 * mode 0600), which nobody can truncate under its users.  Its name is
 * a file, kaioretry-UID.table, mode 0600, in /run/user/UID when that
 * directory exists and belongs to the user, else in /dev/shm (or in the
 * directory the `table` key names), holding one line, the record:
 * "kaioretry-table shmid=ID\n".  The segment has a fixed size: a
 * header page (magic, version, geometry, the host-wide retry budget's
 * window words) and HOSTTABLE_SLOTS slots of 256 bytes.  A slot counts
 * the series of one (program, family, destination) over every process
 * of the user; its counters only grow.  Everything in both is
 * written by processes of that user, so both sides treat it as hostile:
 * strings may lack their NUL, counters may be anything. */
#ifndef KAIORETRY_HOSTTABLE_LAYOUT_H
#define KAIORETRY_HOSTTABLE_LAYOUT_H

#include <stdint.h>
#include <sys/shm.h>

#define HOSTTABLE_MAGIC 0x656c626174726b6bULL	/* "kkrtable" */
#define HOSTTABLE_VERSION 1
#define HOSTTABLE_HEADER_SIZE 4096
#define HOSTTABLE_SLOTS 240
#define HOSTTABLE_SLOT_SIZE 256
#define HOSTTABLE_SIZE (HOSTTABLE_HEADER_SIZE + \
			HOSTTABLE_SLOTS * HOSTTABLE_SLOT_SIZE)	/* 64 KiB */

/* The file's name inside its directory: kaioretry-1000.table */
#define HOSTTABLE_NAME_PREFIX "kaioretry-"
#define HOSTTABLE_NAME_SUFFIX ".table"

/* The name file's one line; shorter than HOSTTABLE_RECORD_MAX. */
#define HOSTTABLE_RECORD_PREFIX "kaioretry-table shmid="
#define HOSTTABLE_RECORD_MAX 64

/* The shmid a record names, or -1 when `len` bytes are not exactly a
 * record (the file is hostile too). */
static inline int hosttable_record_shmid(const char *buf, long len)
{
	const char *prefix = HOSTTABLE_RECORD_PREFIX;
	long i = 0, id = 0;
	for (; prefix[i]; i++)
		if (i >= len || buf[i] != prefix[i])
			return -1;
	if (i >= len || buf[i] < '0' || buf[i] > '9')
		return -1;
	for (; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
		id = id * 10 + (buf[i] - '0');
		if (id > 0x7fffffffL)
			return -1;
	}
	return i == len - 1 && buf[i] == '\n' ? (int)id : -1;
}

/* Whether IPC_STAT's `ds` is a table of `uid`'s: made by and owned by
 * it, 0600, private, of the table's size, and not removed. */
static inline int hosttable_segment_ours(const struct shmid_ds *ds,
					 unsigned uid)
{
	return ds->shm_perm.cuid == uid && ds->shm_perm.uid == uid &&
	       (ds->shm_perm.mode & (0777 | SHM_DEST)) == 0600 &&
	       ds->shm_perm.__key == IPC_PRIVATE &&
	       ds->shm_segsz == HOSTTABLE_SIZE;
}

/* Window words of the host-wide budget: room for every family, ten
 * one-second slots each, packed as shim/budget.c packs its own. */
#define HOSTTABLE_FAMILIES 16
#define HOSTTABLE_BUDGET_SECONDS 10

/* Aging: a slot whose last event is this old may be taken over by a new
 * (program, family, destination) when no slot is free. */
#define HOSTTABLE_AGE_SECONDS (15 * 60)

struct hosttable_header {
	uint64_t magic;		/* HOSTTABLE_MAGIC once set up */
	uint32_t version;	/* HOSTTABLE_VERSION */
	uint32_t header_size;	/* HOSTTABLE_HEADER_SIZE */
	uint32_t slot_size;	/* HOSTTABLE_SLOT_SIZE */
	uint32_t slot_count;	/* HOSTTABLE_SLOTS */
	uint64_t budget[HOSTTABLE_FAMILIES][HOSTTABLE_BUDGET_SECONDS];
};

/* A slot's state word: free, being filled in by one claimant, or in
 * use.  Any other value (garbage) keeps the slot out of everyone's way. */
#define HOSTTABLE_FREE 0
#define HOSTTABLE_CLAIMING 0x636c61696d696e67ULL	/* "claiming" */
#define HOSTTABLE_READY 0x7265616479736c74ULL	/* "readyslt" */

#define HOSTTABLE_PROGRAM_MAX 32
#define HOSTTABLE_FAMILY_MAX 16
#define HOSTTABLE_TARGET_MAX 136

/* What a slot counts; NUL-padded, not NUL-terminated when full. */
struct hosttable_key {
	char program[HOSTTABLE_PROGRAM_MAX];
	char family[HOSTTABLE_FAMILY_MAX];
	char target[HOSTTABLE_TARGET_MAX];	/* as the log names it */
};

struct hosttable_slot {
	uint64_t state;
	uint64_t key_hash;	/* of program, family and target */
	uint64_t series;	/* series started */
	uint64_t retries;	/* real calls after the first */
	uint64_t recoveries;	/* series that succeeded after a retry */
	uint64_t giveups;	/* series that ended failing */
	uint64_t injected;	/* faults the injector put into them */
	uint64_t last_event_ms;	/* CLOCK_REALTIME, milliseconds */
	uint32_t pid;		/* the process of the last event */
	uint32_t unused;
	struct hosttable_key key;
};

_Static_assert(sizeof(struct hosttable_slot) == HOSTTABLE_SLOT_SIZE,
	       "slot size");
_Static_assert(sizeof(struct hosttable_header) <= HOSTTABLE_HEADER_SIZE,
	       "header size");

#endif
