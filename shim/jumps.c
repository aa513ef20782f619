/* jumps.c: a program that jumps out of a retry series.
 *
 * A signal handler may siglongjmp out of a call the shim is retrying
 * (wget times its connect that way).  The series' frame is gone, but
 * the thread-local guard it held stays held, and every later call of
 * that thread would pass through unretried.  So every jump the program
 * makes through libc's longjmp family releases a guard that a series
 * holds on this thread (series.c), then jumps.  Program code runs
 * inside a series only in signal handlers (and NSS modules or a
 * malloc), so such a jump leaves the series; one that stays inside it
 * (a handler's own setjmp and longjmp) only lets that handler's calls
 * be retried in series of their own. */
#include <setjmp.h>

#include "ready.h"
#include "real.h"
#include "series.h"

#define EXPORT __attribute__((visibility("default")))

/* What a jump leaves: a retry series, a readiness check (ready.c). */
static void left_by_jump(void)
{
	series_left_by_jump();
	ready_left_by_jump();
}

EXPORT void longjmp(jmp_buf env, int val)
{
	left_by_jump();
	hooked.longjmp(env, val);
	__builtin_unreachable();
}

EXPORT void _longjmp(jmp_buf env, int val)
{
	left_by_jump();
	hooked._longjmp(env, val);
	__builtin_unreachable();
}

EXPORT void siglongjmp(sigjmp_buf env, int val)
{
	left_by_jump();
	hooked.siglongjmp(env, val);
	__builtin_unreachable();
}

/* What _FORTIFY_SOURCE programs call instead. */
EXPORT void __longjmp_chk(jmp_buf env, int val)
{
	left_by_jump();
	hooked.__longjmp_chk(env, val);
	__builtin_unreachable();
}
