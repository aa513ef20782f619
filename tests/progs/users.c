/* users: one user or group lookup through NSS, for test_nss.py.
 * Prints what libc returned (errno by name) and how long it took; exit
 * 0 when it answered, 1 when it failed or found nothing.
 *
 *   users getpwnam|getpwnam_r|getgrgid|getgrgid_r KEY */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int said(const char *name, unsigned id, int err)
{
	if (name) {
		printf("answered %s %u\n", name, id);
		return 0;
	}
	printf("failed %s\n", err ? strerrorname_np(err) : "not found");
	return 1;
}

static int lookup(const char *call, const char *key)
{
	char buf[1024];
	if (strcmp(call, "getpwnam") == 0) {
		errno = 0;
		struct passwd *pw = getpwnam(key);
		return said(pw ? pw->pw_name : NULL, pw ? pw->pw_uid : 0, errno);
	}
	if (strcmp(call, "getgrgid") == 0) {
		errno = 0;
		struct group *gr = getgrgid((gid_t)atoi(key));
		return said(gr ? gr->gr_name : NULL, gr ? gr->gr_gid : 0, errno);
	}
	if (strcmp(call, "getpwnam_r") == 0) {
		struct passwd pw, *result = NULL;
		int rc = getpwnam_r(key, &pw, buf, sizeof(buf), &result);
		return said(result ? pw.pw_name : NULL, pw.pw_uid, rc);
	}
	if (strcmp(call, "getgrgid_r") == 0) {
		struct group gr, *result = NULL;
		int rc = getgrgid_r((gid_t)atoi(key), &gr, buf, sizeof(buf),
				    &result);
		return said(result ? gr.gr_name : NULL, gr.gr_gid, rc);
	}
	printf("unknown call %s\n", call);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: users CALL KEY\n");
		return 2;
	}
	double start = now();
	int status = lookup(argv[1], argv[2]);
	printf("took %.3f\n", now() - start);
	return status;
}
