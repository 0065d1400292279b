/* core/elf_probe: each kind of program from synthetic ELF files (headers, notes, the Go
 * buildinfo magic) and `#!` chains as the kernel follows them. */
#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/elf_probe.h"
#include "tap.h"

static char dir[] = "/tmp/rw-elf-probe.XXXXXX";

struct spec {
        int elf_class, machine;
        const char *interp;       /* NULL: static */
        int go_note;              /* a .note.go.buildid note (name "Go\0\0") */
        int go_magic;             /* "\xff Go buildinf:" at the start of the data segment */
        int notes_far;            /* the note beyond the first page (a second pread) */
};

/* Writes an ELF laid out as linkers do: header, program headers, interp, notes, data. */
static const char *make_elf(const char *name, const struct spec *s)
{
        static char path[256];
        unsigned char img[16384] = { 0 };
        Elf64_Ehdr eh = { .e_type = ET_EXEC, .e_machine = (Elf64_Half)s->machine, .e_version = EV_CURRENT,
                          .e_phoff = sizeof(Elf64_Ehdr), .e_ehsize = sizeof(Elf64_Ehdr),
                          .e_phentsize = sizeof(Elf64_Phdr) };
        Elf64_Phdr ph[4];
        size_t n = 0, interp_at = 0x200, note_at = s->notes_far ? 0x2000 : 0x300, data_at = 0x3000;

        memcpy(eh.e_ident, ELFMAG, SELFMAG);
        eh.e_ident[EI_CLASS] = (unsigned char)s->elf_class;
        eh.e_ident[EI_DATA] = ELFDATA2LSB;
        eh.e_ident[EI_VERSION] = EV_CURRENT;
        if (s->interp) {
                strcpy((char *)img + interp_at, s->interp);
                ph[n++] = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = interp_at, .p_filesz = strlen(s->interp) + 1 };
        }
        Elf64_Nhdr gnu = { .n_namesz = 4, .n_descsz = 4, .n_type = NT_GNU_ABI_TAG };
        Elf64_Nhdr go = { .n_namesz = 4, .n_descsz = 8, .n_type = 4 };
        size_t o = note_at;
        memcpy(img + o, &gnu, sizeof(gnu)), memcpy(img + o + 12, "GNU", 4), o += 12 + 4 + 4;
        if (s->go_note)
                memcpy(img + o, &go, sizeof(go)), memcpy(img + o + 12, "Go\0", 4), memcpy(img + o + 16, "buildid!", 8), o += 12 + 4 + 8;
        ph[n++] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = note_at, .p_filesz = o - note_at };
        ph[n++] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0, .p_filesz = 0x1000 };
        ph[n++] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = data_at, .p_filesz = 0x100 };
        if (s->go_magic)
                memcpy(img + data_at, "\xff Go buildinf:", 14);
        eh.e_phnum = (Elf64_Half)n;
        memcpy(img, &eh, sizeof(eh));
        memcpy(img + sizeof(eh), ph, n * sizeof(ph[0]));
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
        if (fd < 0 || write(fd, img, data_at + 0x100) != (ssize_t)(data_at + 0x100))
                abort();
        close(fd);
        return path;
}

static void make_script(const char *name, const char *line)
{
        char path[256];

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        FILE *f = fopen(path, "w");
        fprintf(f, "%s\necho hi\n", line);
        fclose(f);
        chmod(path, 0755);
}

#define KIND(path) rw_exec_kind_name(rw_exec_kind((path), NULL, 0))

int main(void)
{
        char p[512], final[512];
        const char *ld = "/lib64/ld-linux-x86-64.so.2", *musl = "/lib/ld-musl-x86_64.so.1";

        if (!mkdtemp(dir))
                return 1;
        is_str(KIND(make_elf("glibc", &(struct spec){ ELFCLASS64, EM_X86_64, ld, 0, 0, 0 })), "glibc", "PT_INTERP ld-linux: glibc");
        is_str(KIND(make_elf("musl", &(struct spec){ ELFCLASS64, EM_X86_64, musl, 0, 0, 0 })), "musl", "PT_INTERP ld-musl: musl");
        is_str(KIND(make_elf("static", &(struct spec){ ELFCLASS64, EM_X86_64, NULL, 0, 0, 0 })), "static", "no PT_INTERP: static");
        is_str(KIND(make_elf("go", &(struct spec){ ELFCLASS64, EM_X86_64, NULL, 1, 1, 0 })), "go", "Go note: go");
        is_str(KIND(make_elf("cgo", &(struct spec){ ELFCLASS64, EM_X86_64, ld, 1, 0, 0 })), "go-dynamic", "Go note and PT_INTERP: go-dynamic");
        is_str(KIND(make_elf("stripped", &(struct spec){ ELFCLASS64, EM_X86_64, ld, 0, 1, 0 })), "go-dynamic", "no note, buildinfo magic: still Go");
        is_str(KIND(make_elf("far", &(struct spec){ ELFCLASS64, EM_X86_64, NULL, 1, 0, 1 })), "go", "note beyond the first page is read");
        is_str(KIND(make_elf("arm", &(struct spec){ ELFCLASS64, EM_AARCH64, ld, 0, 0, 0 })), "other", "another architecture: other");
        is_str(KIND(make_elf("elf32", &(struct spec){ ELFCLASS32, EM_X86_64, ld, 0, 0, 0 })), "other", "32-bit: other");
        is_str(KIND(make_elf("bionic", &(struct spec){ ELFCLASS64, EM_X86_64, "/system/bin/linker64", 0, 0, 0 })), "other", "another loader: other");
        is_int(rw_exec_kind_supervised(RW_EXEC_GO_DYNAMIC), 1, "Go dynamic is the supervisor's");
        is_int(rw_exec_kind_supervised(RW_EXEC_MUSL), 0, "musl is a preload's");

        snprintf(p, sizeof(p), "#!%s/go -flag", dir);
        make_script("s1", p);
        snprintf(p, sizeof(p), "#! \t%s/s1", dir);
        make_script("s2", p);
        snprintf(p, sizeof(p), "%s/s2", dir);
        is_str(rw_exec_kind_name(rw_exec_kind(p, final, sizeof(final))), "go", "nested #!: the final interpreter decides");
        snprintf(p, sizeof(p), "%s/go", dir);
        is_str(final, p, "the final interpreter's path is returned");
        /* s3 -> s4 -> ... -> s8 -> static: 6 interpreters, one more than the kernel follows. */
        for (int i = 3; i <= 8; i++) {
                char name[16];
                snprintf(name, sizeof(name), "s%d", i);
                snprintf(p, sizeof(p), i < 8 ? "#!%s/s%d" : "#!%s/static", dir, i + 1);
                make_script(name, p);
        }
        snprintf(p, sizeof(p), "%s/s4", dir);
        is_str(KIND(p), "static", "five nested interpreters are followed");
        snprintf(p, sizeof(p), "%s/s3", dir);
        is_str(KIND(p), "unknown", "six are ELOOP for the kernel: unknown");
        make_script("empty", "#!");
        snprintf(p, sizeof(p), "%s/empty", dir);
        is_str(KIND(p), "unknown", "#! without an interpreter: unknown");
        is_str(KIND("/nonexistent/x"), "unknown", "missing file: unknown");
        is_int(rw_self_is_go(), 0, "this C program is not Go");
        if (access("/bin/sh", R_OK) == 0)
                is_str(KIND("/bin/sh"), "glibc", "the system's /bin/sh");
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        if (system(cmd) != 0)
                printf("# could not remove %s\n", dir);
        return tap_done();
}
