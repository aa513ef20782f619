/* sink_fork.c: no fork child inherits a log record's fd.
 *
 * A record opens its own file or socket and closes it (sink.c).  A
 * thread that forks meanwhile would give its child a copy that nothing
 * in the child closes: a pre-fork server's workers would hold the log
 * file or a syslog socket for life.  So glibc's fork runs our handlers:
 * before the fork, new records wait (or, in the forking thread's own
 * signal handler, are dropped) and the fork waits for the records that
 * hold fds to close them; after it, records go on.  Both waits are
 * futex waits with a bound: a record that takes longer (a log on a hung
 * NFS mount) lets the fork go ahead rather than hang it.  No lock: two
 * counters, each side raising its own before reading the other's.
 * _Fork() and raw clone() run no handlers (README). */
#include "sink_fork.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static unsigned records_with_fds;	/* between begin and end */
static unsigned forks_under_way;	/* between prepare and parent */
static __thread bool forking_here __attribute__((tls_model("initial-exec")));

#define WAIT_SLICES 10		/* of 10 ms: 100 ms at most */

static void wait_while(unsigned *word, unsigned value)
{
	struct timespec slice = { 0, 10 * 1000 * 1000 };
	syscall(SYS_futex, word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, value,
		&slice, NULL, 0);
}

static void wake_all(unsigned *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX,
		NULL, NULL, 0);
}

void sink_fds_end(void)
{
	if (__atomic_sub_fetch(&records_with_fds, 1, __ATOMIC_SEQ_CST) == 0 &&
	    __atomic_load_n(&forks_under_way, __ATOMIC_SEQ_CST) != 0)
		wake_all(&records_with_fds);
}

bool sink_fds_begin(void)
{
	for (int slice = 0;; slice++) {
		__atomic_add_fetch(&records_with_fds, 1, __ATOMIC_SEQ_CST);
		unsigned forks = __atomic_load_n(&forks_under_way,
						 __ATOMIC_SEQ_CST);
		if (forks == 0)
			return true;
		sink_fds_end();
		if (forking_here || slice == WAIT_SLICES)
			return false;
		wait_while(&forks_under_way, forks);
	}
}

static void before_fork(void)
{
	forking_here = true;
	__atomic_add_fetch(&forks_under_way, 1, __ATOMIC_SEQ_CST);
	for (int slice = 0; slice < WAIT_SLICES; slice++) {
		unsigned open = __atomic_load_n(&records_with_fds,
						__ATOMIC_SEQ_CST);
		if (open == 0)
			return;
		wait_while(&records_with_fds, open);
	}
}

static void after_fork_in_parent(void)
{
	forking_here = false;
	if (__atomic_sub_fetch(&forks_under_way, 1, __ATOMIC_SEQ_CST) == 0)
		wake_all(&forks_under_way);
}

/* The child's only thread is the one that forked. */
static void after_fork_in_child(void)
{
	forking_here = false;
	__atomic_store_n(&forks_under_way, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&records_with_fds, 0, __ATOMIC_SEQ_CST);
}

static pthread_once_t registered = PTHREAD_ONCE_INIT;

static void register_handlers(void)
{
	pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
}

void sink_fork_register(void)
{
	pthread_once(&registered, register_handlers);
}
