/* syscall(2): programs and runtimes that make file calls through syscall() instead of the libc
 * wrappers are dispatched to the same wrappers, and io_uring_setup answers ENOSYS under `run`
 * so libuv (>= 1.45) falls back to its thread pool, whose file calls go through libc. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/sys.h"
#include "preload/open.h"
#include "preload/state.h"

DECLARE_REAL(long, syscall, long, ...);

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
