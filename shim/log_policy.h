/* log_policy.h: a policy as the log names it (log_policy.c). */
#ifndef KAIORETRY_LOG_POLICY_H
#define KAIORETRY_LOG_POLICY_H

#include "../common/text.h"
#include "../config/config.h"

/* "Retry(errors, Context(tries=..., delay=(min<=delay<=max), backoff=...,
 * jitter=...))" and the keys beyond kaioretry's that are set. */
void log_policy_text(struct text *t, const struct policy *p);
/* "budget=0.1 budget_min=5/s" */
void log_budget_text(struct text *t, const struct policy *p);

#endif
