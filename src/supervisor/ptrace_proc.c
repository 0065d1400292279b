/* Traced processes: identity and image; see ptrace_proc.h. */
#include "supervisor/ptrace_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/elf_probe.h"
#include "core/event.h"

#define MAX_ARGS 64

static ssize_t read_proc(pid_t pid, const char *name, char *buf, size_t size)
{
        char path[64];
        RW_AUTOCLOSE int fd = -1;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, size - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        return n;
}

static long status_field(pid_t pid, const char *key)
{
        char buf[4096], *p;

        if (read_proc(pid, "status", buf, sizeof(buf)) < 0 || !(p = strstr(buf, key)))
                return -1;
        return strtol(p + strlen(key), NULL, 10);
}

pid_t sup_proc_tgid(pid_t tid)
{
        long tgid = status_field(tid, "\nTgid:");

        return tgid > 0 ? (pid_t)tgid : tid;
}

/* Which of our libraries environ's LD_PRELOAD names (bit 1: glibc's, bit 2: musl's), if
 * RWSHIM_MODE is set too: the preload is then loaded and configured (it re-inserts both when a
 * program clears its environment). */
#define HAS_GLIBC_LIB 1
#define HAS_MUSL_LIB 2
static int has_lib(const char *list, const char *lib)
{
        size_t ll = strlen(lib);

        for (const char *p = list; (p = strstr(p, lib)) != NULL; p += ll)
                if ((p == list || p[-1] == '/' || p[-1] == ':' || p[-1] == ' ') &&
                    (p[ll] == '\0' || p[ll] == ':' || p[ll] == ' '))
                        return 1;
        return 0;
}

static int environ_preloads(pid_t pid)
{
        static char buf[1 << 16];   /* environments can be large; the supervisor is single-threaded */
        ssize_t n = read_proc(pid, "environ", buf, sizeof(buf));
        int libs = 0, mode = 0;

        for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1) {
                mode |= strncmp(buf + i, "RWSHIM_MODE=", 12) == 0;
                if (strncmp(buf + i, "LD_PRELOAD=", 11) == 0)
                        libs = (has_lib(buf + i + 11, "librwshim.so") ? HAS_GLIBC_LIB : 0) |
                               (has_lib(buf + i + 11, "librwshim-musl.so") ? HAS_MUSL_LIB : 0);
        }
        return mode ? libs : 0;
}

/* The preload serves a process (and so records its calls) only when its image is a glibc or
 * musl program carrying the matching library: never a Go program, whose preload stays inert
 * (core/elf_probe.h), nor one whose LD_PRELOAD names the other libc's library. That one is
 * set in *ret_wrong, for sup_proc_wrong_preload. */
static int carries_preload(pid_t pid, const char **ret_wrong)
{
        char path[64];

        *ret_wrong = NULL;
        snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
        enum rw_exec_kind kind = rw_elf_kind(path);
        if (!rw_exec_kind_preloaded(kind))
                return 0;
        int libs = environ_preloads(pid), musl = kind == RW_EXEC_MUSL;
        if (libs & (musl ? HAS_GLIBC_LIB : HAS_MUSL_LIB))
                *ret_wrong = musl ? "librwshim.so" : "librwshim-musl.so";
        return (libs & (musl ? HAS_MUSL_LIB : HAS_GLIBC_LIB)) != 0;
}

static uint64_t hash_str(const char *s)
{
        uint64_t h = 0xcbf29ce484222325ull;

        while (*s)
                h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
        return h;
}

struct seen_image {
        pid_t tid;
        uint64_t exe;
        int preloaded;
        const char *wrong;    /* our library for the other C library, in its LD_PRELOAD */
};

/* One readlink per call; the probe runs once per (thread, image). An exec of the same file
 * by the same thread keeps the first answer. */
static const struct seen_image *seen(pid_t tid)
{
        static struct seen_image cache[256];
        char path[64], exe[PATH_MAX];

        snprintf(path, sizeof(path), "/proc/%d/exe", (int)tid);
        ssize_t n = readlink(path, exe, sizeof(exe) - 1);
        exe[n > 0 ? n : 0] = '\0';
        uint64_t h = hash_str(exe);
        struct seen_image *c = &cache[(size_t)tid % (sizeof(cache) / sizeof(cache[0]))];
        if (c->tid != tid || c->exe != h) {
                c->tid = tid;
                c->exe = h;
                c->preloaded = carries_preload(tid, &c->wrong);
        }
        return c;
}

int sup_proc_preloaded(pid_t tid)
{
        return seen(tid)->preloaded;
}

int sup_proc_wrong_preload(pid_t tid, int nr, const uint64_t args[6])
{
        const char *wrong = seen(tid)->wrong;
        char buf[PATH_MAX];
        uint64_t addr = nr == SYS_openat || nr == SYS_openat2 ? args[1] : args[0];

        if (!wrong || (nr != SYS_openat && nr != SYS_openat2
#ifdef SYS_open
                       && nr != SYS_open
#endif
                       ))
                return 0;
        struct iovec local = { buf, sizeof(buf) - 1 }, remote = { (void *)(uintptr_t)addr, sizeof(buf) - 1 };
        ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);   /* stops at an unmapped page */
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        const char *base = strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
        return strcmp(base, wrong) == 0;
}

void sup_proc_image(struct sup_tracee *t)
{
        char path[64];
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/exe", (int)t->pid);
        n = readlink(path, t->exe, sizeof(t->exe) - 1);
        t->exe[n > 0 ? n : 0] = '\0';
        const char *wrong;

        t->preloaded = carries_preload(t->pid, &wrong);
}

int sup_proc_format(const struct sup_tracee *t, char *buf, size_t size)
{
        char cmdline[4096];
        char *argv[MAX_ARGS + 1];
        ssize_t n = read_proc(t->pid, "cmdline", cmdline, sizeof(cmdline));
        size_t argc = 0;
        long ppid = status_field(t->pid, "\nPPid:");

        if (t->preloaded)
                return 0;    /* the preload writes its own proc record */
        for (ssize_t i = 0; i < n && argc < MAX_ARGS; i += (ssize_t)strlen(cmdline + i) + 1)
                argv[argc++] = cmdline + i;
        argv[argc] = NULL;
        return rw_event_format_proc(buf, size, t->tgid, (pid_t)ppid, t->exe, argv);
}
