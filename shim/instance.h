/* instance.h: is this the copy of kaioretry that does the retrying? */
#ifndef KAIORETRY_INSTANCE_H
#define KAIORETRY_INSTANCE_H

#include <stdbool.h>

/* False in every copy but the first one loaded into the process. */
bool instance_is_first(void);

#endif
