/* elf.c: `kaioretry-config linkage FILE`, whether the loader that reads
 * LD_PRELOAD will ever run for FILE.
 *
 * A program with no PT_INTERP program header (statically linked, or a Go
 * binary without cgo) is started by the kernel alone: nothing preloads
 * into it.  The command warns about those before it runs them.  Reading
 * the headers here, with <elf.h>, keeps ELF layout out of the shell. */
#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Reads `size` bytes at `offset`; false unless all of them came. */
static bool read_at(int fd, void *buf, size_t size, off_t offset)
{
	return pread(fd, buf, size, offset) == (ssize_t)size;
}

/* Whether the program headers at `offset` (count entries of `entsize`
 * bytes, each starting with a 32-bit p_type) include PT_INTERP. */
static bool has_interp(int fd, off_t offset, unsigned count, unsigned entsize)
{
	for (unsigned i = 0; i < count; i++) {
		uint32_t type;
		if (!read_at(fd, &type, sizeof(type), offset + (off_t)i * entsize))
			return false;
		if (type == PT_INTERP)
			return true;
	}
	return false;
}

enum linkage elf_linkage(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return LINKAGE_UNKNOWN;
	unsigned char ident[EI_NIDENT];
	enum linkage result = LINKAGE_UNKNOWN;
	if (read_at(fd, ident, sizeof(ident), 0) &&
	    memcmp(ident, ELFMAG, SELFMAG) == 0 &&
	    ident[EI_DATA] == ELFDATA2LSB) {
		bool dynamic = false;
		if (ident[EI_CLASS] == ELFCLASS64) {
			Elf64_Ehdr h;
			if (read_at(fd, &h, sizeof(h), 0))
				dynamic = has_interp(fd, (off_t)h.e_phoff,
						     h.e_phnum, h.e_phentsize);
		} else if (ident[EI_CLASS] == ELFCLASS32) {
			Elf32_Ehdr h;
			if (read_at(fd, &h, sizeof(h), 0))
				dynamic = has_interp(fd, (off_t)h.e_phoff,
						     h.e_phnum, h.e_phentsize);
		}
		result = dynamic ? LINKAGE_DYNAMIC : LINKAGE_STATIC;
	}
	close(fd);
	return result;
}
