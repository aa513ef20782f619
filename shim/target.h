/* target.h: naming what a call was aimed at, for the log:
 * "127.0.0.1:5432", "[::1]:6379", "unix:/run/app.sock", "fd 7",
 * "db.internal:5432", "db.internal" (a name the old resolver looks up),
 * "10.0.0.5" (an address gethostbyaddr looks up), "uid 1000",
 * "/run/app.sock" (a path open was given).  Names from the program are
 * escaped. */
#ifndef KAIORETRY_TARGET_H
#define KAIORETRY_TARGET_H

#include <sys/socket.h>

#include "../common/text.h"

/* What a call was aimed at, kept as the call's own arguments (which
 * outlive its series) and named only when a record is written. */
struct target {
	enum {
		TARGET_FD, TARGET_SOCKADDR, TARGET_HOST, TARGET_NAME,
		TARGET_HOSTADDR, TARGET_ID, TARGET_PATH
	} kind;
	int fd;
	int af;				/* HOSTADDR: AF_INET or AF_INET6 */
	socklen_t len;			/* ID: the number */
	const struct sockaddr *addr;
	const void *bytes;		/* HOSTADDR: the raw address */
	const char *node, *service;	/* NAME: node only; ID: node, the
					   word ("uid"); PATH: node, the
					   program's path */
};

void target_text(struct text *t, const struct target *target);

void target_fd(struct text *t, int fd);
void target_sockaddr(struct text *t, const struct sockaddr *addr,
		     socklen_t len);
void target_host(struct text *t, const char *node, const char *service);
void target_name(struct text *t, const char *name);
void target_id(struct text *t, const char *word, unsigned number);
void target_path(struct text *t, const char *path);
void target_hostaddr(struct text *t, const void *bytes, socklen_t len,
		     int af);

#endif
