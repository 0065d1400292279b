/* Classifying executables with raw syscalls (preload-safe); see elf_probe.h.
 *
 * Cost: one pread of the first page, which in every linker's output holds the ELF header,
 * the program headers, PT_INTERP and Go's build-id note; a second small pread only for an ELF
 * with no Go note (the start of its data segment, where Go's linker puts `.go.buildinfo`). */
#include "core/elf_probe.h"

#include <elf.h>
#include <string.h>
#include <sys/auxv.h>

#include "core/sys.h"

#if defined(__x86_64__)
#define NATIVE_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define NATIVE_MACHINE EM_AARCH64
#else
#define NATIVE_MACHINE EM_NONE
#endif

#define HEAD_SIZE 4096
#define GO_NOTE_TYPE 4                 /* ELF note type of Go's build id (cmd/link) */
static const char go_buildinfo_magic[] = "\xff Go buildinf:";   /* 14 bytes, survives strip */
#define GO_MAGIC_LEN (sizeof(go_buildinfo_magic) - 1)

static int read_at(int fd, void *buf, size_t n, off_t off)
{
        return RW_SYSCALL(SYS_pread64, fd, buf, n, off) == (long)n;
}

/* Bytes [off, off+n) of the file: from head when they lie there, else read into buf. */
static const void *bytes_at(int fd, const unsigned char *head, size_t head_len, size_t off, size_t n, void *buf)
{
        if (off <= head_len && n <= head_len - off)
                return head + off;
        return read_at(fd, buf, n, (off_t)off) ? buf : NULL;
}

/* 1 if the notes in [p, p+len) hold one with owner "Go" and Go's build-id type. */
static int notes_have_go(const unsigned char *p, size_t len)
{
        size_t off = 0;

        while (off + sizeof(Elf64_Nhdr) <= len) {
                Elf64_Nhdr nh;

                memcpy(&nh, p + off, sizeof(nh));
                size_t name_at = off + sizeof(nh);
                size_t desc_at = name_at + ((nh.n_namesz + 3u) & ~3u);
                /* cmd/link writes the name "Go" padded: n_namesz 4, "Go\0\0". */
                if ((nh.n_namesz == 3 || nh.n_namesz == 4) && name_at + nh.n_namesz <= len &&
                    memcmp(p + name_at, "Go", 3) == 0 && nh.n_type == GO_NOTE_TYPE)
                        return 1;
                off = desc_at + ((nh.n_descsz + 3u) & ~3u);
        }
        return 0;
}

static enum rw_exec_kind kind_of_interp(const char *interp, size_t len)
{
        const char *base = interp;

        for (size_t i = 0; i < len && interp[i]; i++)
                if (interp[i] == '/')
                        base = interp + i + 1;
        if (strncmp(base, "ld-linux", 8) == 0)
                return RW_EXEC_GLIBC;
        if (strncmp(base, "ld-musl-", 8) == 0)
                return RW_EXEC_MUSL;
        return RW_EXEC_OTHER;
}

struct elf_scan {
        int has_interp, is_go;
        enum rw_exec_kind interp_kind;
        size_t data_off;               /* file offset of the first writable, non-exec PT_LOAD */
        int has_data;
};

/* One program header: notes and the interpreter are read where they are. */
static void scan_phdr(int fd, const unsigned char *head, size_t n, const Elf64_Phdr *ph, struct elf_scan *s)
{
        unsigned char buf[512];

        if (ph->p_type == PT_INTERP) {
                size_t len = ph->p_filesz < sizeof(buf) ? (size_t)ph->p_filesz : sizeof(buf);
                const char *in = bytes_at(fd, head, n, (size_t)ph->p_offset, len, buf);
                s->has_interp = 1;
                s->interp_kind = in ? kind_of_interp(in, len) : RW_EXEC_OTHER;
        } else if (ph->p_type == PT_NOTE && !s->is_go) {
                size_t len = ph->p_filesz < sizeof(buf) ? (size_t)ph->p_filesz : sizeof(buf);
                const unsigned char *p = bytes_at(fd, head, n, (size_t)ph->p_offset, len, buf);
                s->is_go = p && notes_have_go(p, len);
        } else if (ph->p_type == PT_LOAD && !s->has_data && (ph->p_flags & (PF_W | PF_X)) == PF_W) {
                s->has_data = 1;
                s->data_off = (size_t)ph->p_offset;
        }
}

static enum rw_exec_kind classify_fd(int fd, const unsigned char *head, size_t n)
{
        struct elf_scan s = { 0 };
        Elf64_Ehdr eh;

        if (n < sizeof(eh))
                return RW_EXEC_UNKNOWN;
        memcpy(&eh, head, sizeof(eh));
        if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
                return RW_EXEC_UNKNOWN;
        if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != NATIVE_MACHINE ||
            eh.e_phentsize != sizeof(Elf64_Phdr))
                return RW_EXEC_OTHER;
        for (unsigned i = 0; i < eh.e_phnum; i++) {
                Elf64_Phdr ph;
                const void *p = bytes_at(fd, head, n, (size_t)eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph), &ph);
                if (!p)
                        return RW_EXEC_UNKNOWN;
                memcpy(&ph, p, sizeof(ph));
                scan_phdr(fd, head, n, &ph, &s);
        }
        if (!s.is_go && s.has_data) {
                /* Stripped of its note (or built with an empty build id): the buildinfo magic. */
                char magic[GO_MAGIC_LEN];
                s.is_go = read_at(fd, magic, sizeof(magic), (off_t)s.data_off) &&
                          memcmp(magic, go_buildinfo_magic, GO_MAGIC_LEN) == 0;
        }
        if (s.is_go)
                return s.has_interp ? RW_EXEC_GO_DYNAMIC : RW_EXEC_GO;
        return s.has_interp ? s.interp_kind : RW_EXEC_STATIC;
}

/* The interpreter of a `#!` line in head, as fs/binfmt_script.c reads it: blanks skipped,
 * the name ends at a blank or the end of the line. 1 and the name in out, or 0. */
static int shebang_interp(const unsigned char *head, size_t n, char *out, size_t size)
{
        size_t i = 2, len = 0;

        if (n < 2 || head[0] != '#' || head[1] != '!')
                return 0;
        if (n > 256)
                n = 256;    /* BINPRM_BUF_SIZE: the kernel reads no further */
        while (i < n && (head[i] == ' ' || head[i] == '\t'))
                i++;
        while (i + len < n && head[i + len] && head[i + len] != ' ' && head[i + len] != '\t' &&
               head[i + len] != '\n')
                len++;
        if (!len || len + 1 > size)
                return 0;
        memcpy(out, head + i, len);
        out[len] = '\0';
        return 1;
}

/* Reads path's head; an ELF is classified, a script's interpreter written to interp. */
static enum rw_exec_kind probe_one(const char *path, char *interp, size_t size, int *ret_script)
{
        unsigned char head[HEAD_SIZE];
        int fd = rw_openat(AT_FDCWD, path, O_RDONLY, 0);
        enum rw_exec_kind kind = RW_EXEC_UNKNOWN;

        *ret_script = 0;
        if (fd < 0)
                return RW_EXEC_UNKNOWN;
        long n = RW_SYSCALL(SYS_pread64, fd, head, sizeof(head), 0);
        if (n > 0 && interp && shebang_interp(head, (size_t)n, interp, size))
                *ret_script = 1;
        else if (n > 0)
                kind = classify_fd(fd, head, (size_t)n);
        rw_close(fd);
        return kind;
}

enum rw_exec_kind rw_elf_kind(const char *path)
{
        int script;

        return probe_one(path, NULL, 0, &script);
}

enum rw_exec_kind rw_exec_kind(const char *path, char *ret_final, size_t size)
{
        char names[2][256];   /* a `#!` line is at most BINPRM_BUF_SIZE bytes */
        const char *cur = path;

        for (int depth = 0; depth <= RW_EXEC_MAX_INTERP; depth++) {
                char *next = names[depth & 1];
                int script;
                enum rw_exec_kind kind = probe_one(cur, next, sizeof(names[0]), &script);

                if (!script) {
                        if (ret_final && size && strlen(cur) < size)
                                memcpy(ret_final, cur, strlen(cur) + 1);
                        return kind;
                }
                cur = next;
        }
        return RW_EXEC_UNKNOWN;   /* too many interpreters: exec fails with ELOOP */
}

int rw_exec_kind_supervised(enum rw_exec_kind kind)
{
        return kind == RW_EXEC_STATIC || kind == RW_EXEC_GO || kind == RW_EXEC_GO_DYNAMIC;
}

int rw_exec_kind_preloaded(enum rw_exec_kind kind)
{
        return kind == RW_EXEC_GLIBC || kind == RW_EXEC_MUSL;
}

const char *rw_exec_kind_name(enum rw_exec_kind kind)
{
        static const char *const names[] = { "unknown", "glibc", "musl", "static", "go", "go-dynamic", "other" };

        return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

int rw_self_is_go(void)
{
        const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
        unsigned long phnum = getauxval(AT_PHNUM), bias = 0;
        int have_bias = 0;

        if (!ph || getauxval(AT_PHENT) != sizeof(Elf64_Phdr))
                return 0;
        for (unsigned long i = 0; i < phnum; i++)
                if (ph[i].p_type == PT_PHDR) {
                        bias = (unsigned long)ph - ph[i].p_vaddr;
                        have_bias = 1;
                }
        if (!have_bias)
                return 0;   /* Go's linker always writes PT_PHDR into dynamic executables */
        for (unsigned long i = 0; i < phnum; i++)
                if (ph[i].p_type == PT_NOTE &&
                    notes_have_go((const unsigned char *)(bias + ph[i].p_vaddr), (size_t)ph[i].p_filesz))
                        return 1;
        for (unsigned long i = 0; i < phnum; i++)
                if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & (PF_W | PF_X)) == PF_W)
                        return ph[i].p_filesz >= GO_MAGIC_LEN &&
                               memcmp((const void *)(bias + ph[i].p_vaddr), go_buildinfo_magic, GO_MAGIC_LEN) == 0;
        return 0;
}

int rw_elf_interp(const char *path)
{
        enum rw_exec_kind kind = rw_elf_kind(path);

        if (kind == RW_EXEC_UNKNOWN || kind == RW_EXEC_OTHER)
                return -1;
        return kind == RW_EXEC_STATIC || kind == RW_EXEC_GO ? 0 : 1;
}

int rw_elf_is_static(const char *path)
{
        return rw_exec_kind_supervised(rw_exec_kind(path, NULL, 0));
}
