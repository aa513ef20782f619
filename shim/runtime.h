/* runtime.h: the configuration this process runs with, loaded once. */
#ifndef KAIORETRY_RUNTIME_H
#define KAIORETRY_RUNTIME_H

#include "../config/config.h"

/* The loaded configuration; loads it on first use.  NULL while another
 * thread is still loading it: the caller then passes through rather
 * than wait, so no thread ever blocks on us. */
const struct config *runtime_config(void);

#endif
