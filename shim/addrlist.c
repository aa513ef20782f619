/* addrlist.c: the process's recent getaddrinfo results, as address-list
 * fallthrough needs them (addrmatch.c builds and matches the records).
 *
 * The program's list is never kept: it may be freed, chained to another
 * and freed with it, or freed by another thread at any moment.  What
 * fallthrough needs is copied at the successful getaddrinfo, while the
 * list is certainly alive (libc has just handed it over and nobody else
 * has it yet): the first ADDRMATCH_KEEP distinct addresses and the last
 * one, into one of RECENT slots of a table shared by every thread, so a
 * program that resolves in one thread and connects in another (curl's
 * threaded resolver) falls through too.
 *
 * The table is written only here, on getaddrinfo's path, and read only
 * on a failed connect.  Each slot is a sequence lock without waiting: a
 * writer claims a slot by moving its sequence from even to odd with a
 * compare-and-swap, fills it and makes it even again; a slot that is odd
 * (being written, by another thread or by the code a signal handler
 * interrupted) is skipped by writers, who take the next, and by readers,
 * who try again a few times and then ignore it.  A reader discards what
 * it read when the sequence moved meanwhile.  So nothing ever waits,
 * takes a lock or allocates: safe in signal handlers, and the child of a
 * fork made while another thread was writing only loses that slot.  No
 * fork handler, no thread-exit destructor: nothing of ours runs when a
 * thread ends or after the library is unloaded.
 *
 * Slots are used round-robin; the reader looks from the newest back, and
 * the newest result that holds the address decides.  Two threads writing
 * at once may take slots slightly out of order: then "newest" is off by
 * one among results made at the same moment. */
#include "addrlist.h"

#include "addrmatch.h"

#define RECENT 16		/* results kept; a power of two */
#define READ_TRIES 4

struct slot {
	unsigned seq;		/* odd while being written */
	struct addr_record record;
};

static struct slot table[RECENT];
static unsigned next_slot;	/* where the next result goes (mod RECENT) */

void addrlist_note(const struct addrinfo *list)
{
	unsigned at = __atomic_load_n(&next_slot, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < RECENT; i++, at++) {
		struct slot *s = &table[at % RECENT];
		unsigned seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
		if ((seq & 1) ||
		    !__atomic_compare_exchange_n(&s->seq, &seq, seq + 1, false,
						 __ATOMIC_RELAXED,
						 __ATOMIC_RELAXED))
			continue;
		__atomic_store_n(&next_slot, at + 1, __ATOMIC_RELAXED);
		/* The odd sequence is visible before any of the new record. */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		addrmatch_record(&s->record, list);
		__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
		return;
	}
}

/* Where k stands in one slot; ADDR_UNLISTED when the slot could not be
 * read whole (a writer kept it busy). */
static enum addr_place place_in(const struct slot *s,
				const struct addr_key *k)
{
	for (int t = 0; t < READ_TRIES; t++) {
		unsigned seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		if (seq & 1)
			continue;
		enum addr_place place = addrmatch_place(&s->record, k);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) == seq)
			return place;
	}
	return ADDR_UNLISTED;
}

bool addrlist_has_more_after(const struct sockaddr *addr, socklen_t len)
{
	struct addr_key k;
	if (!addrmatch_key(&k, addr, len))
		return false;
	unsigned newest = __atomic_load_n(&next_slot, __ATOMIC_RELAXED) - 1;
	for (unsigned i = 0; i < RECENT; i++) {
		enum addr_place place = place_in(&table[(newest - i) % RECENT], &k);
		if (place != ADDR_UNLISTED)
			return place == ADDR_BEFORE_LAST;
	}
	return false;
}
