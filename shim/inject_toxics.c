/* inject_toxics.c: per-descriptor state for limit= and rate=.
 *
 * Each rule with one gets a table indexed by descriptor, mapped at
 * start or when the rule is added at run time (never on a success
 * path).  A slot remembers which open file it counts for (device and
 * inode, from fstat), so a descriptor number closed and reused starts
 * from zero without wrapping close().
 * Descriptors beyond the table pass untouched (documented).
 *
 * rate= is a true bandwidth: a call may move at most a twentieth of a
 * second's bytes, and the next call on that descriptor waits until
 * those bytes would have passed; nothing is lost, transfers are
 * partial.  The wait is a sleep in the call, also for a non-blocking
 * descriptor (an event loop is held up as by a slow link's reads). */
#include "inject_toxics.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define TOXIC_FDS 4096

struct flow {
	uint64_t dev, ino;		/* the open file counted, 0: none yet */
	uint64_t bytes;			/* passed through it */
	uint64_t next_ns;		/* rate=: when the next call may go */
};

static struct flow *flows[INJECT_SLOTS];

void inject_toxics_prepare(int slot, const struct inject_rule *r)
{
	if ((!r->limit && !r->rate) || flows[slot])
		return;
	/* raw: one import less for the loader to bind at start */
	void *m = (void *)syscall(SYS_mmap, NULL,
				  sizeof(struct flow) * TOXIC_FDS,
				  PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	flows[slot] = m == MAP_FAILED ? NULL : m;
}

void inject_toxics_start(const struct config *cfg)
{
	for (int i = 0; cfg && i < cfg->inject.count; i++)
		inject_toxics_prepare(i, &cfg->inject.rule[i]);
}

static uint64_t now_ns(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/* The slot of `fd` for a rule, reset when fd names another file. */
static struct flow *flow_of(int rule, int fd)
{
	struct stat st;
	int saved = errno;
	if (!flows[rule] || fd < 0 || fd >= TOXIC_FDS || fstat(fd, &st)) {
		errno = saved;
		return NULL;
	}
	struct flow *f = &flows[rule][fd];
	if (f->dev != (uint64_t)st.st_dev || f->ino != (uint64_t)st.st_ino)
		*f = (struct flow){ .dev = st.st_dev, .ino = st.st_ino };
	return f;
}

static void cap(struct inject_decision *d, uint64_t bytes)
{
	if (!d->short_bytes || bytes < d->short_bytes)
		d->short_bytes = bytes;
}

void inject_toxic_before(struct inject_decision *d, int fd)
{
	struct flow *f = flow_of(d->rule, fd);
	if (!f)
		return;
	if (d->limit) {
		uint64_t passed = __atomic_load_n(&f->bytes, __ATOMIC_RELAXED);
		if (passed >= d->limit) {
			d->error = d->limit_error;
			return;
		}
		cap(d, d->limit - passed);
	}
	if (d->rate) {
		uint64_t next = __atomic_load_n(&f->next_ns, __ATOMIC_RELAXED);
		if (next > now_ns()) {
			struct timespec until = {
				.tv_sec = (time_t)(next / 1000000000u),
				.tv_nsec = (long)(next % 1000000000u) };
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
					       &until, NULL) == EINTR)
				;
		}
		cap(d, d->rate / 20 ? d->rate / 20 : 1);
	}
}

void inject_toxic_after(const struct inject_decision *d, int fd,
			long long done)
{
	if (done <= 0 || fd < 0 || fd >= TOXIC_FDS || !flows[d->rule])
		return;
	struct flow *f = &flows[d->rule][fd];
	__atomic_add_fetch(&f->bytes, (uint64_t)done, __ATOMIC_RELAXED);
	if (d->rate) {
		uint64_t now = now_ns(), next = f->next_ns;
		f->next_ns = (next > now ? next : now) +
			     (uint64_t)((double)done * 1e9 / (double)d->rate);
	}
}
