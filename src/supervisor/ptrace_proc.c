/* Traced processes: identity and image; see ptrace_proc.h. */
#include "supervisor/ptrace_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* environ holds LD_PRELOAD with lib as one entry, and RWSHIM_MODE: the preload is loaded and
 * configured (it re-inserts both when a program clears its environment). */
static int environ_has_preload(pid_t pid, const char *lib)
{
        static char buf[1 << 16];   /* environments can be large; the supervisor is single-threaded */
        ssize_t n = read_proc(pid, "environ", buf, sizeof(buf));
        int preload = 0, mode = 0;
        size_t ll = strlen(lib);

        for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1) {
                mode |= strncmp(buf + i, "RWSHIM_MODE=", 12) == 0;
                if (strncmp(buf + i, "LD_PRELOAD=", 11) != 0)
                        continue;
                for (const char *p = buf + i + 11; (p = strstr(p, lib)) != NULL; p += ll)
                        preload |= (p[-1] == '/' || p[-1] == '=' || p[-1] == ':' || p[-1] == ' ') &&
                                   (p[ll] == '\0' || p[ll] == ':' || p[ll] == ' ');
        }
        return preload && mode;
}

/* The preload serves a process (and so records its calls) only when its image is a glibc or
 * musl program carrying the matching library: never a Go program, whose preload stays inert
 * (core/elf_probe.h), nor one whose LD_PRELOAD names the other libc's library. */
static int carries_preload(pid_t pid)
{
        char path[64];

        snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
        enum rw_exec_kind kind = rw_elf_kind(path);
        if (!rw_exec_kind_preloaded(kind))
                return 0;
        return environ_has_preload(pid, kind == RW_EXEC_MUSL ? "librwshim-musl.so" : "librwshim.so");
}

static uint64_t hash_str(const char *s)
{
        uint64_t h = 0xcbf29ce484222325ull;

        while (*s)
                h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
        return h;
}

int sup_proc_preloaded(pid_t tid)
{
        /* One readlink per call; the probe runs once per (thread, image). An exec of the same
         * file by the same thread keeps the first answer. */
        static struct seen_image { pid_t tid; uint64_t exe; int preloaded; } cache[256];
        char path[64], exe[PATH_MAX];

        snprintf(path, sizeof(path), "/proc/%d/exe", (int)tid);
        ssize_t n = readlink(path, exe, sizeof(exe) - 1);
        exe[n > 0 ? n : 0] = '\0';
        uint64_t h = hash_str(exe);
        size_t slot = (size_t)tid % (sizeof(cache) / sizeof(cache[0]));
        if (cache[slot].tid != tid || cache[slot].exe != h)
                cache[slot] = (struct seen_image){ tid, h, carries_preload(tid) };
        return cache[slot].preloaded;
}

void sup_proc_image(struct sup_tracee *t)
{
        char path[64];
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/exe", (int)t->pid);
        n = readlink(path, t->exe, sizeof(t->exe) - 1);
        t->exe[n > 0 ? n : 0] = '\0';
        t->preloaded = carries_preload(t->pid);
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
