/* fdcount.h: how many fds a test program has open, for the programs
 * that show a library fd never outlives its moment. */
#ifndef KAIORETRY_TEST_FDCOUNT_H
#define KAIORETRY_TEST_FDCOUNT_H

#include <dirent.h>

static inline int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3;	/* ".", ".." and the directory's own fd */
}

#endif
