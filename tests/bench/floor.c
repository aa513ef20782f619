/* floor.c: the least a wrapper can be that sees each call's result: one
 * indirect call to libc's write or read and one test of what it
 * returned.  Beside kaioretry in the same table it shows what the
 * machine charges any such wrapper, apart from what our code adds. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <unistd.h>

static ssize_t (*libc_write)(int, const void *, size_t);
static ssize_t (*libc_read)(int, void *, size_t);
static volatile long failures;

__attribute__((constructor)) static void find_libc(void)
{
	libc_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	libc_read = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
}

ssize_t write(int fd, const void *buf, size_t n)
{
	ssize_t r = libc_write(fd, buf, n);
	if (__builtin_expect(r < 0, 0))
		failures++;
	return r;
}

ssize_t read(int fd, void *buf, size_t n)
{
	ssize_t r = libc_read(fd, buf, n);
	if (__builtin_expect(r < 0, 0))
		failures++;
	return r;
}
