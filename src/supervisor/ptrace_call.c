/* Reading a traced file call: arguments at the seccomp stop, result at the exit stop. */
#include "supervisor/ptrace_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/ptrace.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/event.h"
#include "core/path.h"

extern long ptrace(int request, pid_t pid, void *addr, void *data);

#define PAGE 4096u

/* Copies a NUL-terminated string out of the tracee, page by page so that a string ending just
 * before an unmapped page is still read. Returns its length or -errno. */
static int read_string(pid_t pid, uint64_t addr, char *buf, size_t size)
{
        size_t got = 0;

        while (got < size - 1) {
                size_t chunk = PAGE - (size_t)((addr + got) % PAGE);
                struct iovec local, remote;
                ssize_t n;
                char *nul;

                if (chunk > size - 1 - got)
                        chunk = size - 1 - got;
                local = (struct iovec){ buf + got, chunk };
                remote = (struct iovec){ (void *)(uintptr_t)(addr + got), chunk };
                n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
                if (n <= 0)
                        return n < 0 ? -errno : -EFAULT;
                if ((nul = memchr(buf + got, '\0', (size_t)n)))
                        return (int)(nul - buf);
                got += (size_t)n;
        }
        buf[size - 1] = '\0';
        return -ENAMETOOLONG;
}

/* The directory a relative path is resolved against: the tracee's cwd or its dirfd. */
static int base_dir(pid_t pid, long dirfd, char *buf, size_t size)
{
        char link[64];
        ssize_t n;

        if ((int)dirfd == AT_FDCWD)
                snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
        else
                snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, (int)dirfd);
        n = readlink(link, buf, size - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        return 0;
}

static int read_path(pid_t pid, const __u64 *args, int dirfd_arg, int path_arg, char *out, size_t size)
{
        char raw[PATH_MAX], base[PATH_MAX];
        long dirfd = dirfd_arg >= 0 ? (long)args[dirfd_arg] : AT_FDCWD;
        int r;

        raw[0] = '\0';
        if (args[path_arg] && (r = read_string(pid, args[path_arg], raw, sizeof(raw))) < 0)
                return r;
        if (raw[0] == '/')
                return rw_path_normalize(NULL, raw, out, size);
        if ((r = base_dir(pid, dirfd, base, sizeof(base))) < 0)
                return r;
        if (raw[0] == '\0') {   /* AT_EMPTY_PATH or a NULL path (futimens): the dirfd itself */
                snprintf(out, size, "%s", base);
                return 0;
        }
        return rw_path_normalize(base, raw, out, size);
}

static int read_open_flags(pid_t pid, const struct sup_file_syscall *sc, const __u64 *args)
{
        uint64_t how_flags = 0;
        struct iovec local = { &how_flags, sizeof(how_flags) };
        struct iovec remote = { NULL, sizeof(how_flags) };

        if (sc->flags >= 0)
                return (int)args[sc->flags];
        if (sc->flags == -2) {   /* openat2: flags are the first field of struct open_how */
                remote.iov_base = (void *)(uintptr_t)args[2];
                return process_vm_readv(pid, &local, 1, &remote, 1, 0) == sizeof(how_flags) ? (int)how_flags : 0;
        }
        if (strcmp(sc->name, "creat") == 0)
                return O_CREAT | O_WRONLY | O_TRUNC;
        return -1;
}

int sup_call_entry(struct sup_tracee *t)
{
        struct ptrace_syscall_info info;
        const struct sup_file_syscall *sc;

        if (ptrace(PTRACE_GET_SYSCALL_INFO, t->pid, (void *)sizeof(info), &info) <= 0)
                return -errno;
        if (info.op != PTRACE_SYSCALL_INFO_SECCOMP || !(sc = sup_file_syscall_lookup((long)info.seccomp.nr)))
                return 0;
        t->sc = sc;
        t->path2[0] = '\0';
        if (read_path(t->pid, info.seccomp.args, sc->dirfd, sc->path, t->path, sizeof(t->path)) < 0)
                return 0;   /* a bad pointer: the call will fail with EFAULT, nothing to record */
        if (sc->path2 >= 0 &&
            read_path(t->pid, info.seccomp.args, sc->dirfd2, sc->path2, t->path2, sizeof(t->path2)) < 0)
                t->path2[0] = '\0';
        t->open_flags = read_open_flags(t->pid, sc, info.seccomp.args);
        return 1;
}

static int writes(const struct sup_tracee *t)
{
        if (t->sc->write)
                return 1;
        return t->open_flags >= 0 &&
               ((t->open_flags & O_ACCMODE) != O_RDONLY || (t->open_flags & (O_CREAT | O_TRUNC | O_APPEND)));
}

int sup_call_exit(struct sup_tracee *t, int all, char *buf, size_t size)
{
        struct ptrace_syscall_info info;
        struct rw_event ev = { .pid = t->tgid, .op = t->sc->name, .path = t->path,
                               .path2 = t->path2[0] ? t->path2 : NULL, .open_flags = t->open_flags,
                               .caller = t->exe[0] ? t->exe : NULL };
        int denied;

        if (ptrace(PTRACE_GET_SYSCALL_INFO, t->pid, (void *)sizeof(info), &info) <= 0 ||
            info.op != PTRACE_SYSCALL_INFO_EXIT)
                return 0;
        ev.errnum = info.exit.is_error ? (int)-info.exit.rval : 0;
        denied = ev.errnum == EACCES || ev.errnum == EPERM || ev.errnum == EROFS;
        if (!all && !denied && !writes(t))
                return 0;
        ev.action = denied ? RW_ACTION_DENIED : ev.errnum ? RW_ACTION_FAILED : RW_ACTION_OK;
        return rw_event_format(buf, size, &ev);
}
