/* Raw syscalls for core code (preload-safe). Core never calls the libc wrappers of file calls:
 * inside librwshim.so those names resolve to our own interposed functions, and recursing into
 * them would redirect the engine's own I/O. Each returns the result or -errno. */
#ifndef RW_SYS_H
#define RW_SYS_H

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* Inside librwshim.so the name syscall() is our own wrapper (wrap_syscall.c), which dispatches
 * file syscalls back into the engine: the engine must reach libc's directly. */
#ifdef RW_IN_PRELOAD
/* Fixed arity: reading varargs the caller never passed is what ASan rightly reports. */
long rw_libc_syscall6(long n, long a, long b, long c, long d, long e, long f);
#define RW_SYSCALL_PICK(n, a, b, c, d, e, f, ...) \
        rw_libc_syscall6((long)(n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
#define RW_SYSCALL(...) RW_SYSCALL_PICK(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)
#else
#define RW_SYSCALL syscall
#endif

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)   /* <stdio.h> has it only with some feature macros */
#endif

static inline long rw_sysret(long r) { return r < 0 ? -errno : r; }

static inline int rw_openat(int dirfd, const char *path, int flags, mode_t mode)
{ return (int)rw_sysret(RW_SYSCALL(SYS_openat, dirfd, path, flags | O_CLOEXEC, mode)); }

static inline int rw_openat2(int dirfd, const char *path, struct open_how *how)
{ return (int)rw_sysret(RW_SYSCALL(SYS_openat2, dirfd, path, how, sizeof(*how))); }

static inline int rw_close(int fd)
{ int saved = errno; long r = RW_SYSCALL(SYS_close, fd); errno = saved; return r < 0 ? -EBADF : 0; }

static inline int rw_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{ return (int)rw_sysret(RW_SYSCALL(SYS_newfstatat, dirfd, path, st, flags)); }

static inline int rw_mkdirat(int dirfd, const char *path, mode_t mode)
{ return (int)rw_sysret(RW_SYSCALL(SYS_mkdirat, dirfd, path, mode)); }

static inline int rw_unlinkat(int dirfd, const char *path, int flags)
{ return (int)rw_sysret(RW_SYSCALL(SYS_unlinkat, dirfd, path, flags)); }

static inline int rw_renameat2(int olddir, const char *oldp, int newdir, const char *newp, unsigned flags)
{ return (int)rw_sysret(RW_SYSCALL(SYS_renameat2, olddir, oldp, newdir, newp, flags)); }

static inline int rw_linkat(int olddir, const char *oldp, int newdir, const char *newp, int flags)
{ return (int)rw_sysret(RW_SYSCALL(SYS_linkat, olddir, oldp, newdir, newp, flags)); }

static inline int rw_symlinkat(const char *target, int dirfd, const char *path)
{ return (int)rw_sysret(RW_SYSCALL(SYS_symlinkat, target, dirfd, path)); }

static inline ssize_t rw_readlinkat(int dirfd, const char *path, char *buf, size_t size)
{ return rw_sysret(RW_SYSCALL(SYS_readlinkat, dirfd, path, buf, size)); }

static inline ssize_t rw_read(int fd, void *buf, size_t n)
{ return rw_sysret(RW_SYSCALL(SYS_read, fd, buf, n)); }

static inline ssize_t rw_write(int fd, const void *buf, size_t n)
{ return rw_sysret(RW_SYSCALL(SYS_write, fd, buf, n)); }

static inline int rw_fchmod(int fd, mode_t mode)
{ return (int)rw_sysret(RW_SYSCALL(SYS_fchmod, fd, mode)); }

static inline int rw_fchmodat(int dirfd, const char *path, mode_t mode)
{ return (int)rw_sysret(RW_SYSCALL(SYS_fchmodat, dirfd, path, mode)); }

static inline int rw_fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{ return (int)rw_sysret(RW_SYSCALL(SYS_fchownat, dirfd, path, uid, gid, flags)); }

static inline int rw_utimensat(int dirfd, const char *path, const struct timespec *ts, int flags)
{ return (int)rw_sysret(RW_SYSCALL(SYS_utimensat, dirfd, path, ts, flags)); }

static inline int rw_fsync(int fd)
{ return (int)rw_sysret(RW_SYSCALL(SYS_fsync, fd)); }

static inline int rw_ftruncate(int fd, off_t len)
{ return (int)rw_sysret(RW_SYSCALL(SYS_ftruncate, fd, len)); }

static inline int rw_faccessat(int dirfd, const char *path, int mode, int flags)
{ return (int)rw_sysret(RW_SYSCALL(SYS_faccessat2, dirfd, path, mode, flags)); }

static inline ssize_t rw_getdents64(int fd, void *buf, size_t n)
{ return rw_sysret(RW_SYSCALL(SYS_getdents64, fd, buf, n)); }

static inline ssize_t rw_copy_file_range(int in, int out, size_t n)
{ return rw_sysret(RW_SYSCALL(SYS_copy_file_range, in, NULL, out, NULL, n, 0)); }

static inline int rw_flock(int fd, int op)
{ return (int)rw_sysret(RW_SYSCALL(SYS_flock, fd, op)); }

#endif
