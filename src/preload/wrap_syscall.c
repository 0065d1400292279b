/* syscall(2): programs and runtimes that make file calls through syscall() instead of the libc
 * wrappers are dispatched to the same wrappers, and io_uring_setup answers ENOSYS under `run`
 * so libuv (>= 1.45) falls back to its thread pool, whose file calls go through libc. */
#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/sys.h"
#include "core/vfs.h"
#include "preload/libc_compat.h"
#include "preload/open.h"
#include "preload/state.h"

DECLARE_REAL(long, syscall, long, ...);

/* ---- close, close_range, closefrom, dup2, dup3: the upper directory fds (vfs_dircache.c) ----
 * They sit at high numbers no program is given by open(), but daemons and shells close every fd
 * above 2, and a program may dup2 onto any number. Closing one of ours answers EBADF, as the
 * call would if rwshim held nothing there; dup2 onto one first takes it out of the cache. */
int close_range(unsigned first, unsigned last, int flags);   /* musl declares neither */
void closefrom(int lowfd);
DECLARE_REAL(int, close, int);
DECLARE_REAL(int, dup2, int, int);
DECLARE_REAL(int, dup3, int, int, int);

PRELOAD_API int close(int fd)
{
        if (unlikely(rw_dircache_owns(fd))) {
                errno = EBADF;
                return -1;
        }
        return REAL(close)(fd);
}

static int close_range_raw(unsigned first, unsigned last, int flags)
{
        return (int)rw_sysret(RW_SYSCALL(SYS_close_range, first, last, flags));
}

/* close_range(2) around our fds: the part below them, each non-cache fd among them, the part
 * above. -errno. */
static int close_range_sparing(unsigned first, unsigned last, int flags)
{
        int lo, hi, r = 0;

        if (!rw_dircache_range(&lo, &hi) || (flags & CLOSE_RANGE_CLOEXEC) || last < (unsigned)lo ||
            first > (unsigned)hi)
                return close_range_raw(first, last, flags);
        if (flags & CLOSE_RANGE_UNSHARE) {
                r = (int)rw_sysret(RW_SYSCALL(SYS_unshare, CLONE_FILES));
                if (r < 0)
                        return r;
                flags &= ~CLOSE_RANGE_UNSHARE;
        }
        if (first < (unsigned)lo && (r = close_range_raw(first, (unsigned)lo - 1, flags)) < 0)
                return r;
        for (unsigned fd = first > (unsigned)lo ? first : (unsigned)lo; fd <= last && fd <= (unsigned)hi; fd++)
                if (!rw_dircache_owns((int)fd))
                        RW_SYSCALL(SYS_close, fd);
        if (last > (unsigned)hi)
                r = close_range_raw((unsigned)hi + 1, last, flags);
        return r;
}

PRELOAD_API int close_range(unsigned first, unsigned last, int flags)
{
        return preload_ret(close_range_sparing(first, last, flags));
}

DECLARE_REAL_OPT(void, closefrom, int);
PRELOAD_API void closefrom(int lowfd)
{
        int saved = errno;

        /* Before Linux 5.9 (no close_range), libc's own closefrom does it: it may close ours,
         * which the cache then notices (EBADF) and forgets. */
        if (lowfd < 0 || close_range_sparing((unsigned)lowfd, ~0u, 0) < 0) {
                if (REAL_OPT(closefrom))
                        real_closefrom(lowfd);
        }
        errno = saved;
}

PRELOAD_API int dup2(int oldfd, int newfd)
{
        if (unlikely(rw_dircache_owns(newfd)) && oldfd != newfd)
                rw_dircache_forget(newfd);
        return REAL(dup2)(oldfd, newfd);
}

PRELOAD_API int dup3(int oldfd, int newfd, int flags)
{
        if (unlikely(rw_dircache_owns(newfd)) && oldfd != newfd)
                rw_dircache_forget(newfd);
        return REAL(dup3)(oldfd, newfd, flags);
}

/* The file syscalls worth dispatching; anything else passes through untouched. */
static int dispatch(long n, const long a[6], long *ret)
{
        switch (n) {
        case SYS_open:
                *ret = preload_open(AT_FDCWD, (const char *)a[0], (int)a[1], (mode_t)a[2], CALLER);
                return 1;
        case SYS_openat:
                *ret = preload_open((int)a[0], (const char *)a[1], (int)a[2], (mode_t)a[3], CALLER);
                return 1;
        case SYS_creat:
                *ret = preload_open(AT_FDCWD, (const char *)a[0], O_WRONLY | O_CREAT | O_TRUNC, (mode_t)a[1], CALLER);
                return 1;
        case SYS_mkdir:
                *ret = preload_mkdir(AT_FDCWD, (const char *)a[0], (mode_t)a[1], CALLER);
                return 1;
        case SYS_mkdirat:
                *ret = preload_mkdir((int)a[0], (const char *)a[1], (mode_t)a[2], CALLER);
                return 1;
        /* libuv stats through syscall(SYS_statx) */
        case SYS_statx:
                *ret = statx((int)a[0], (const char *)a[1], (int)a[2], (unsigned)a[3], (struct statx *)a[4]);
                return 1;
        case SYS_newfstatat:
                *ret = fstatat((int)a[0], (const char *)a[1], (struct stat *)a[2], (int)a[3]);
                return 1;
        case SYS_unlinkat:
                *ret = unlinkat((int)a[0], (const char *)a[1], (int)a[2]);
                return 1;
        case SYS_renameat2:
                *ret = renameat2((int)a[0], (const char *)a[1], (int)a[2], (const char *)a[3], (unsigned)a[4]);
                return 1;
        case SYS_faccessat:
        case SYS_faccessat2:
                *ret = faccessat((int)a[0], (const char *)a[1], (int)a[2], n == SYS_faccessat2 ? (int)a[3] : 0);
                return 1;
        case SYS_readlinkat:
                *ret = readlinkat((int)a[0], (const char *)a[1], (char *)a[2], (size_t)a[3]);
                return 1;
        /* a listing of a merged directory (wrap_dir.c) */
        case SYS_getdents64:
#if PRELOAD_GLIBC_ABI
                *ret = getdents64((int)a[0], (void *)a[1], (size_t)a[2]);
#else
                *ret = getdents((int)a[0], (struct dirent *)a[1], (size_t)a[2]);
#endif
                return 1;
        case SYS_close:
                *ret = close((int)a[0]);
                return 1;
        case SYS_close_range:
                *ret = close_range((unsigned)a[0], (unsigned)a[1], (int)a[2]);
                return 1;
#ifdef SYS_dup2
        case SYS_dup2:
                *ret = dup2((int)a[0], (int)a[1]);
                return 1;
#endif
        case SYS_dup3:
                *ret = dup3((int)a[0], (int)a[1], (int)a[2]);
                return 1;
        case SYS_io_uring_setup:
                if (preload_engine.mode != RW_MODE_RUN)
                        return 0;
                errno = ENOSYS;
                *ret = -1;
                return 1;
        default:
                return 0;
        }
}

/* Like libc's, it reads six arguments whatever the caller passed: exempt from ASan, which
 * would report the unread stack slots of a caller that passed fewer. */
__attribute__((no_sanitize("address")))
PRELOAD_API long syscall(long n, ...)
{
        long a[6], ret;
        va_list ap;

        va_start(ap, n);
        for (int i = 0; i < 6; i++)
                a[i] = va_arg(ap, long);
        va_end(ap);
        if (!preload_off() && dispatch(n, a, &ret))
                return ret;
        return REAL(syscall)(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* libc's syscall(), for the engine (core/sys.h); hidden, so it never interposes anything. */
long rw_libc_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
        return REAL(syscall)(n, a, b, c, d, e, f);
}
