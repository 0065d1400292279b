/* Static ELF detection with raw syscalls (preload-safe); see elf_probe.h. */
#include "core/elf_probe.h"

#include <elf.h>
#include <string.h>

#include "core/sys.h"

static int read_at(int fd, void *buf, size_t n, off_t off)
{
        return RW_SYSCALL(SYS_pread64, fd, buf, n, off) == (long)n;
}

/* Program header i, from head (the file's first bytes) when it lies there, as it does in
 * every linker's output; else read from the file. */
static int phdr(int fd, const unsigned char *head, size_t head_len, const Elf64_Ehdr *eh, int i, Elf64_Phdr *ph)
{
        size_t off = (size_t)eh->e_phoff + (size_t)i * eh->e_phentsize;

        if (off + sizeof(*ph) <= head_len) {
                memcpy(ph, head + off, sizeof(*ph));
                return 1;
        }
        return read_at(fd, ph, sizeof(*ph), (off_t)off);
}

int rw_elf_is_static(const char *path)
{
        return rw_elf_interp(path) == 0;
}

int rw_elf_interp(const char *path)
{
        unsigned char head[1024];
        int fd = rw_openat(AT_FDCWD, path, O_RDONLY, 0), kind = -1;
        long n;
        Elf64_Ehdr eh;

        if (fd < 0)
                return -1;
        n = RW_SYSCALL(SYS_pread64, fd, head, sizeof(head), 0);
        if (n < (long)sizeof(eh))
                goto out;
        memcpy(&eh, head, sizeof(eh));
        if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64)
                goto out;
        kind = 0;
        for (int i = 0; i < eh.e_phnum && kind == 0; i++) {
                Elf64_Phdr ph;

                if (!phdr(fd, head, (size_t)n, &eh, i, &ph))
                        kind = -1;
                else if (ph.p_type == PT_INTERP)
                        kind = 1;
        }
out:
        rw_close(fd);
        return kind;
}
