/* Traced processes: identity and image; see ptrace_proc.h. */
#include "supervisor/ptrace_proc.h"

#include <errno.h>
#include <fcntl.h>
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

/* A dynamic ELF has a PT_INTERP program header: the loader, and so the preload, runs in it. */
static int is_dynamic(pid_t pid)
{
        char path[64];

        snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
        return rw_elf_interp(path) == 1;
}

static int environ_has_preload(pid_t pid)
{
        static char buf[1 << 16];   /* environments can be large; the tracer is single-threaded */
        ssize_t n = read_proc(pid, "environ", buf, sizeof(buf));

        for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1)
                if (strncmp(buf + i, "LD_PRELOAD=", 11) == 0 && strstr(buf + i, "librwshim"))
                        return 1;
        return 0;
}

void sup_proc_image(struct sup_tracee *t)
{
        char path[64];
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/exe", (int)t->pid);
        n = readlink(path, t->exe, sizeof(t->exe) - 1);
        t->exe[n > 0 ? n : 0] = '\0';
        t->preloaded = is_dynamic(t->pid) && environ_has_preload(t->pid);
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
