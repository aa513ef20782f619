/* threads.c: the pthread_create hook.
 *
 * libc's functions are looked up on first need, with dlsym, which takes
 * the loader's lock.  glibc's fork() resets that lock in the child, but
 * _Fork() (async-signal-safe, after which a child may call sigaction or
 * any wrapped call) resets nothing: if another thread of the parent was
 * inside dlsym or dlopen at that moment, a lookup in the child waits
 * forever.  So before a process gets its second thread, everything is
 * looked up once; a single-threaded process has no other thread to
 * hold the lock.  (Threads glibc starts itself, for timers or AIO, do
 * not come through here.)  A second thread could also fork while a
 * log record holds an fd: the fork handlers that keep it out of the
 * child are registered here too (sink_fork.c). */
#include "../common/attributes.h"
#include "real.h"
#include "sink_fork.h"

EXPORT int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
			  void *(*start)(void *), void *arg)
{
	real_resolve_all();
	sink_fork_register();
	return hooked.pthread_create(thread, attr, start, arg);
}
