/* A notified process's memory, paths and umask, through /proc; see notify_tracee.h. */
#include "supervisor/notify_tracee.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/path.h"
#include "supervisor/notify_callers.h"

void sup_caller_init(struct sup_caller *c, pid_t tid, struct sup_probe *probe)
{
        c->tid = tid;
        c->probe = probe;
}

void sup_caller_close(struct sup_caller *c)
{
        c->probe = NULL;
}

/* The remote range [addr, addr + n) as one iovec per page: process_vm_readv transfers whole
 * iovecs, so a string that ends just before an unmapped page is still read up to there. */
static size_t page_iovecs(uint64_t addr, size_t n, struct iovec *iov, size_t max)
{
        const uint64_t page = 4096;
        size_t k = 0;

        while (n && k < max) {
                size_t len = (size_t)(page - (addr & (page - 1)));
                if (len > n)
                        len = n;
                iov[k++] = (struct iovec){ (void *)(uintptr_t)addr, len };
                addr += len;
                n -= len;
        }
        return k;
}

int sup_caller_string(struct sup_caller *c, uint64_t addr, char *buf, size_t size)
{
        struct iovec local = { buf, size }, remote[PATH_MAX / 4096 + 2];
        size_t k = page_iovecs(addr, size, remote, sizeof(remote) / sizeof(remote[0]));
        /* One call, no /proc/<tid>/mem to open: the common path costs a single syscall. */
        ssize_t n = process_vm_readv(c->tid, &local, 1, remote, k, 0);

        if (n <= 0)
                return -EFAULT;
        if (!memchr(buf, '\0', (size_t)n))
                return (size_t)n == size ? -ENAMETOOLONG : -EFAULT;
        return 0;
}

int sup_caller_read(struct sup_caller *c, uint64_t addr, void *buf, size_t n)
{
        struct iovec local = { buf, n }, remote = { (void *)(uintptr_t)addr, n };

        return process_vm_readv(c->tid, &local, 1, &remote, 1, 0) == (ssize_t)n ? 0 : -EFAULT;
}

/* process_vm_writev writes only where the program itself may write, as the kernel's own
 * copy_to_user does: a read-only buffer gets EFAULT, as it would natively. */
int sup_caller_write(struct sup_caller *c, uint64_t addr, const void *buf, size_t n)
{
        struct iovec local = { (void *)buf, n }, remote = { (void *)(uintptr_t)addr, n };

        return process_vm_writev(c->tid, &local, 1, &remote, 1, 0) == (ssize_t)n ? 0 : -EFAULT;
}

/* readlink of /proc/<tid>/<what>, mapped from the upper back to the merged view. */
static int proc_link(struct sup_caller *c, const struct rw_upper *u, const char *what,
                     char *out, size_t size)
{
        char link[64], real[PATH_MAX];
        ssize_t n;

        snprintf(link, sizeof(link), "/proc/%d/%s", (int)c->tid, what);
        n = readlink(link, real, sizeof(real) - 1);
        if (n < 0)
                return errno == ENOENT ? -EBADF : -errno;
        real[n] = '\0';
        if (real[0] != '/')
                return -ENOTDIR;   /* a pipe, socket or anon inode */
        int r = rw_upper_to_virtual(u, real, out, size);
        if (r == 1)
                return 1;
        if (r < 0)
                return r;
        if ((size_t)n >= size)
                return -ENAMETOOLONG;
        memcpy(out, real, (size_t)n + 1);
        return 0;
}

int sup_caller_fd_path(struct sup_caller *c, const struct rw_upper *u, int fd, char *out, size_t size)
{
        char what[32];

        if (fd < 0)
                return -EBADF;
        snprintf(what, sizeof(what), "fd/%d", fd);
        return proc_link(c, u, what, out, size);
}

/* /proc/self and /proc/thread-self name the caller, not us: make them /proc/<tid>. */
static int own_proc_dir(struct sup_caller *c, char *path, size_t size)
{
        static const char *const selves[] = { "/proc/self", "/proc/thread-self" };
        char rest[PATH_MAX];

        for (size_t i = 0; i < sizeof(selves) / sizeof(selves[0]); i++) {
                size_t n = strlen(selves[i]);
                if (strncmp(path, selves[i], n) != 0 || (path[n] != '/' && path[n] != '\0'))
                        continue;
                snprintf(rest, sizeof(rest), "%s", path + n);
                if ((size_t)snprintf(path, size, "/proc/%d%s", (int)c->tid, rest) >= size)
                        return -ENAMETOOLONG;
                return 0;
        }
        return 0;
}

int sup_caller_real_base(struct sup_caller *c, int dirfd, char *out, size_t size)
{
        char link[64];
        ssize_t n;

        if (dirfd == AT_FDCWD)
                snprintf(link, sizeof(link), "/proc/%d/cwd", (int)c->tid);
        else
                snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)c->tid, dirfd);
        n = readlink(link, out, size - 1);
        if (n < 0)
                return -errno;
        out[n] = '\0';
        return out[0] == '/' ? 0 : -ENOTDIR;
}

int sup_caller_base(struct sup_caller *c, const struct rw_upper *u, int dirfd, char *out, size_t size)
{
        return dirfd == AT_FDCWD ? proc_link(c, u, "cwd", out, size) : sup_caller_fd_path(c, u, dirfd, out, size);
}

int sup_caller_abs_path(struct sup_caller *c, const struct rw_upper *u, int dirfd,
                        const char *path, char *out, size_t size)
{
        char base[PATH_MAX];
        int r;

        int in_upper = 0;

        if (!path[0])
                return -ENOENT;
        if (path[0] == '/') {
                r = rw_path_normalize(NULL, path, out, size);
        } else if ((r = sup_caller_base(c, u, dirfd, base, sizeof(base))) >= 0) {
                in_upper = r == 1;
                r = rw_path_normalize(base, path, out, size);
        }
        if (r >= 0)
                r = own_proc_dir(c, out, size);
        return r < 0 ? r : in_upper;
}

/* The number after "\n<field>:" in /proc/<tid>/status, in base, or -1. */
static long status_field(struct sup_caller *c, const char *field, int base)
{
        char path[64], buf[4096], key[32];
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/status", (int)c->tid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        buf[n > 0 ? n : 0] = '\0';
        snprintf(key, sizeof(key), "\n%s:", field);
        const char *p = strstr(buf, key);
        return p ? strtol(p + strlen(key), NULL, base) : -1;
}

mode_t sup_caller_umask(struct sup_caller *c)
{
        long m = c->probe ? sup_probe_umask(c->probe) : status_field(c, "Umask", 8);

        return m < 0 ? 022 : (mode_t)m & 0777;
}

int sup_caller_dup_fd(struct sup_caller *c, int fd)
{
        long tgid = c->probe ? c->probe->tgid : status_field(c, "Tgid", 10);
        int pidfd, r;

        /* The remembered pidfd serves: the thread's shares the process's fd table. */
        if (c->probe && c->probe->pidfd >= 0) {
                r = (int)syscall(SYS_pidfd_getfd, c->probe->pidfd, fd, 0);
                return r < 0 ? -errno : r;
        }
        if (tgid <= 0)
                return -ESRCH;
        pidfd = (int)syscall(SYS_pidfd_open, (pid_t)tgid, 0);
        if (pidfd < 0)
                return -errno;
        r = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
        r = r < 0 ? -errno : r;
        close(pidfd);
        return r;
}
