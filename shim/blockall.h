/* blockall.h: blocking every signal across a few raw syscalls, so that
 * no handler (one that siglongjmps out included) runs in between.
 *
 * The mask is the kernel's 8 bytes, not a 128-byte sigset_t: these run
 * on the failure path, which may be a handler's small alternate stack.
 * glibc's two internal signals (SIGCANCEL 32, SIGSETXID 33) stay open,
 * as sigfillset leaves them. */
#ifndef KAIORETRY_BLOCKALL_H
#define KAIORETRY_BLOCKALL_H

#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline uint64_t block_all_signals(void)
{
	uint64_t all = ~(uint64_t)0 & ~((uint64_t)3 << 31), before = 0;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &before, sizeof(all));
	return before;
}

static inline void restore_signals(uint64_t before)
{
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &before, NULL, sizeof(before));
}

#endif
