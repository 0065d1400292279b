/* Static ELF detection with raw syscalls (preload-safe); see elf_probe.h. */
#include "core/elf_probe.h"

#include <elf.h>
#include <string.h>

#include "core/sys.h"

static int read_at(int fd, void *buf, size_t n, off_t off)
{
        return RW_SYSCALL(SYS_pread64, fd, buf, n, off) == (long)n;
}

int rw_elf_is_static(const char *path)
{
        int fd = rw_openat(AT_FDCWD, path, O_RDONLY, 0), is_static = 0;
        Elf64_Ehdr eh;

        if (fd < 0)
                return 0;
        if (!read_at(fd, &eh, sizeof(eh), 0) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
            eh.e_ident[EI_CLASS] != ELFCLASS64)
                goto out;
        is_static = 1;
        for (int i = 0; i < eh.e_phnum && is_static; i++) {
                Elf64_Phdr ph;
                off_t off = (off_t)eh.e_phoff + (off_t)i * eh.e_phentsize;

                if (!read_at(fd, &ph, sizeof(ph), off) || ph.p_type == PT_INTERP)
                        is_static = 0;
        }
out:
        rw_close(fd);
        return is_static;
}
