/* hooks.h: what must be done before the program's own code can
 * interrupt us (see hooks.def). */
#ifndef KAIORETRY_HOOKS_H
#define KAIORETRY_HOOKS_H

/* Looks up every libc function and reads the time zone, so that a
 * signal handler's wrapped call meets neither dlsym (it takes the
 * loader's lock) nor localtime_r (the tz lock).  Cheap once done. */
void hooks_before_handlers(void);

#endif
