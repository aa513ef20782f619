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
 * be retried in series of their own.  A readiness check under way is
 * left too, and its socket closed (ready.c). */
#include <setjmp.h>

#include "../common/attributes.h"
#include "ready.h"
#include "real.h"
#include "series.h"

#define JUMP(name, buffer)                                                    \
	EXPORT void name(buffer env, int val)                                 \
	{                                                                     \
		series_left_by_jump();                                        \
		ready_left_by_jump();                                         \
		hooked.name(env, val);                                        \
		__builtin_unreachable();                                      \
	}

JUMP(longjmp, jmp_buf)
JUMP(_longjmp, jmp_buf)
JUMP(siglongjmp, sigjmp_buf)
#ifdef __GLIBC__
JUMP(__longjmp_chk, jmp_buf)	/* what _FORTIFY_SOURCE programs call */
#endif
