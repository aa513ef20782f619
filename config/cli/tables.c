/* tables.c: reading the host tables (common/hosttable.h) for `kaioretry
 * stats` and `kaioretry top`.
 *
 * A user reads their own table; root reads every user's (each file in
 * /dev/shm, in each /run/user/UID or in the `table` directory, named
 * like a table).
 * Each name file is opened with O_NOFOLLOW and must be a regular file
 * owned by the user its name says, writable by nobody else, holding a
 * record; the segment it names must be that user's table by IPC_STAT.
 * The segment is copied out and detached at once.  Its contents are
 * hostile: the header
 * must match our layout, only slots in the ready state count, and every
 * key field is copied with its length bounded and a NUL added. */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/hosttable.h"

/* The shim writes printable ASCII only (escaped as the log escapes);
 * any other byte is shown as '?', so no screen or scrape sees a control
 * character from the file. */
static void copy_field(char *to, const char *from, size_t size)
{
	size_t len = strnlen(from, size);
	for (size_t i = 0; i < len; i++)
		to[i] = from[i] >= 0x20 && from[i] < 0x7f ? from[i] : '?';
	to[len] = '\0';
}

static bool same_key(const struct table_row *r, unsigned uid,
		     const struct table_row *k)
{
	return r->uid == uid && strcmp(r->program, k->program) == 0 &&
	       strcmp(r->family, k->family) == 0 &&
	       strcmp(r->target, k->target) == 0;
}

/* Adds one slot to the rows, merged with a row of the same key (two
 * processes claiming one key at once leave two slots). */
static void add_slot(struct table_rows *rows, unsigned uid,
		     const struct hosttable_slot *slot)
{
	struct table_row k = { .uid = uid };
	copy_field(k.program, slot->key.program, HOSTTABLE_PROGRAM_MAX);
	copy_field(k.family, slot->key.family, HOSTTABLE_FAMILY_MAX);
	copy_field(k.target, slot->key.target, HOSTTABLE_TARGET_MAX);
	struct table_row *r = NULL;
	for (size_t i = 0; i < rows->count && !r; i++)
		if (same_key(&rows->row[i], uid, &k))
			r = &rows->row[i];
	if (!r) {
		if (rows->count == rows->size) {
			size_t size = rows->size ? rows->size * 2 : 64;
			struct table_row *more = realloc(rows->row,
							 size * sizeof(*more));
			if (!more)
				return;
			rows->row = more, rows->size = size;
		}
		r = &rows->row[rows->count++];
		*r = k;
	}
	r->series += slot->series;
	r->retries += slot->retries;
	r->recoveries += slot->recoveries;
	r->giveups += slot->giveups;
	r->injected += slot->injected;
	if (slot->last_event_ms >= r->last_event_ms) {
		r->last_event_ms = slot->last_event_ms;
		r->pid = slot->pid;
	}
}

static bool header_ours(const struct hosttable_header *h)
{
	return h->magic == HOSTTABLE_MAGIC &&
	       h->version == HOSTTABLE_VERSION &&
	       h->header_size == HOSTTABLE_HEADER_SIZE &&
	       h->slot_size == HOSTTABLE_SLOT_SIZE &&
	       h->slot_count == HOSTTABLE_SLOTS;
}

/* Copies the segment the record in `path` names into `image`, when
 * both are `uid`'s: a regular file writable by nobody else, holding
 * exactly a record, and (by IPC_STAT) a private 0600 segment of the
 * table's size that uid made and owns; attached read-only, never kept.
 * False with errno ENOENT when there is no file. */
static bool copy_table(unsigned char *image, const char *path, unsigned uid)
{
	char record[HOSTTABLE_RECORD_MAX];
	struct shmid_ds ds;
	struct stat st;
	errno = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	errno = 0;
	ssize_t got = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == uid &&
	    (st.st_mode & 077) == 0)
		got = read(fd, record, sizeof(record));
	close(fd);
	int id = got > 0 ? hosttable_record_shmid(record, got) : -1;
	if (id < 0 || shmctl(id, IPC_STAT, &ds) != 0 ||
	    !hosttable_segment_ours(&ds, uid))
		return false;
	void *m = shmat(id, NULL, SHM_RDONLY);
	if (m == (void *)-1)
		return false;
	memcpy(image, m, HOSTTABLE_SIZE);
	shmdt(m);
	return true;
}

/* Reads the table at `path`, which belongs to `uid`; false (and why on
 * stderr) when it is not a table of that user's. */
static bool read_table(struct table_rows *rows, const char *path,
		       unsigned uid)
{
	static _Alignas(64) unsigned char image[HOSTTABLE_SIZE];
	bool ok = copy_table(image, path, uid);
	if (!ok && errno == ENOENT)
		return false;		/* no table yet */
	if (ok)
		ok = header_ours((const struct hosttable_header *)image);
	if (!ok) {
		fprintf(stderr, "kaioretry: %s: not a kaioretry table of uid "
			"%u; skipped\n", path, uid);
		return false;
	}
	for (int i = 0; i < HOSTTABLE_SLOTS; i++) {
		const struct hosttable_slot *slot = (const void *)
			(image + HOSTTABLE_HEADER_SIZE +
			 (size_t)i * HOSTTABLE_SLOT_SIZE);
		if (slot->state == HOSTTABLE_READY)
			add_slot(rows, uid, slot);
	}
	rows->tables++;
	return true;
}

/* The uid in "kaioretry-UID.table", or -1. */
static long uid_of_name(const char *name)
{
	size_t plen = strlen(HOSTTABLE_NAME_PREFIX);
	size_t slen = strlen(HOSTTABLE_NAME_SUFFIX);
	size_t len = strlen(name);
	if (len <= plen + slen || strncmp(name, HOSTTABLE_NAME_PREFIX, plen) ||
	    strcmp(name + len - slen, HOSTTABLE_NAME_SUFFIX))
		return -1;
	long uid = 0;
	for (size_t i = plen; i < len - slen; i++) {
		if (name[i] < '0' || name[i] > '9' || uid > 0xffffffffL / 10)
			return -1;
		uid = uid * 10 + (name[i] - '0');
	}
	return uid;
}

/* Root: every table in `dir`. */
static void read_dir(struct table_rows *rows, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		long uid = uid_of_name(e->d_name);
		char path[CONFIG_PATH_MAX + 300];
		if (uid < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		read_table(rows, path, (unsigned)uid);
	}
	closedir(d);
}

/* The directory the shim of `uid` puts its table in. */
static void dir_of(char *dir, size_t size, const struct config *cfg,
		   unsigned uid)
{
	struct stat st;
	if (cfg->table_place == TABLE_DIR) {
		snprintf(dir, size, "%s", cfg->table_dir);
		return;
	}
	snprintf(dir, size, "/run/user/%u", uid);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != uid)
		snprintf(dir, size, "/dev/shm");
}

void tables_read(struct table_rows *rows, const struct config *cfg)
{
	unsigned uid = geteuid();
	char dir[CONFIG_PATH_MAX + 32];
	*rows = (struct table_rows){ 0 };
	if (cfg->table_place == TABLE_OFF)
		return;
	if (uid != 0) {
		char path[sizeof(dir) + 64];
		dir_of(dir, sizeof(dir), cfg, uid);
		snprintf(path, sizeof(path), "%s/" HOSTTABLE_NAME_PREFIX
			 "%u" HOSTTABLE_NAME_SUFFIX, dir, uid);
		read_table(rows, path, uid);
		return;
	}
	if (cfg->table_place == TABLE_DIR) {
		read_dir(rows, cfg->table_dir);
		return;
	}
	read_dir(rows, "/dev/shm");
	DIR *d = opendir("/run/user");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "/run/user/%s", e->d_name);
		read_dir(rows, dir);
	}
	if (d)
		closedir(d);
}

void tables_free(struct table_rows *rows)
{
	free(rows->row);
	*rows = (struct table_rows){ 0 };
}

const char *table_user_name(unsigned uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(uid);
	if (pw && pw->pw_name)
		snprintf(buf, size, "%s", pw->pw_name);
	else
		snprintf(buf, size, "%u", uid);
	return buf;
}
