/* nss_flaky: an NSS module for test_nss.py, as an LDAP or sssd backend
 * behaves while it starts: its first FLAKY_FAILS lookups in a process
 * (default 2) say TRYAGAIN with EAGAIN, the later ones answer.  It
 * knows one user and one group, both "late" with id 4242.  The tests
 * install it as libnss_flaky.so.2 and select it by an nsswitch.conf
 * in a private mount namespace. */
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#define LATE_ID 4242

static int calls;

static int still_starting(int *errnop)
{
	const char *fails = getenv("FLAKY_FAILS");
	if (calls++ < (fails ? atoi(fails) : 2)) {
		*errnop = EAGAIN;
		return 1;
	}
	return 0;
}

/* Copies s into buf at *used; NULL when it does not fit. */
static char *keep(const char *s, char *buf, size_t buflen, size_t *used)
{
	size_t n = strlen(s) + 1;
	if (*used + n > buflen)
		return NULL;
	char *at = buf + *used;
	memcpy(at, s, n);
	*used += n;
	return at;
}

static enum nss_status passwd(struct passwd *pw, char *buf, size_t buflen,
			      int *errnop)
{
	size_t used = 0;
	pw->pw_name = keep("late", buf, buflen, &used);
	pw->pw_passwd = keep("x", buf, buflen, &used);
	pw->pw_gecos = keep("late user", buf, buflen, &used);
	pw->pw_dir = keep("/nonexistent", buf, buflen, &used);
	pw->pw_shell = keep("/bin/false", buf, buflen, &used);
	if (!pw->pw_name || !pw->pw_passwd || !pw->pw_gecos || !pw->pw_dir ||
	    !pw->pw_shell) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	pw->pw_uid = LATE_ID;
	pw->pw_gid = LATE_ID;
	return NSS_STATUS_SUCCESS;
}

static enum nss_status group(struct group *gr, char *buf, size_t buflen,
			     int *errnop)
{
	size_t used = 0;
	gr->gr_name = keep("late", buf, buflen, &used);
	gr->gr_passwd = keep("x", buf, buflen, &used);
	used = (used + sizeof(char *) - 1) & ~(sizeof(char *) - 1);
	if (!gr->gr_name || !gr->gr_passwd || used + sizeof(char *) > buflen) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	gr->gr_mem = (char **)(void *)(buf + used);
	gr->gr_mem[0] = NULL;
	gr->gr_gid = LATE_ID;
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_flaky_getpwnam_r(const char *name, struct passwd *pw,
				      char *buf, size_t buflen, int *errnop)
{
	if (still_starting(errnop))
		return NSS_STATUS_TRYAGAIN;
	if (strcmp(name, "late") != 0)
		return NSS_STATUS_NOTFOUND;
	return passwd(pw, buf, buflen, errnop);
}

enum nss_status _nss_flaky_getpwuid_r(uid_t uid, struct passwd *pw,
				      char *buf, size_t buflen, int *errnop)
{
	if (still_starting(errnop))
		return NSS_STATUS_TRYAGAIN;
	if (uid != LATE_ID)
		return NSS_STATUS_NOTFOUND;
	return passwd(pw, buf, buflen, errnop);
}

enum nss_status _nss_flaky_getgrnam_r(const char *name, struct group *gr,
				      char *buf, size_t buflen, int *errnop)
{
	if (still_starting(errnop))
		return NSS_STATUS_TRYAGAIN;
	if (strcmp(name, "late") != 0)
		return NSS_STATUS_NOTFOUND;
	return group(gr, buf, buflen, errnop);
}

enum nss_status _nss_flaky_getgrgid_r(gid_t gid, struct group *gr,
				      char *buf, size_t buflen, int *errnop)
{
	if (still_starting(errnop))
		return NSS_STATUS_TRYAGAIN;
	if (gid != LATE_ID)
		return NSS_STATUS_NOTFOUND;
	return group(gr, buf, buflen, errnop);
}
