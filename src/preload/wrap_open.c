/* The open family: open*, openat*, creat*, their FORTIFY forms, fopen/freopen. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/vfs.h"
#include "preload/open.h"
#include "preload/state.h"

DECLARE_REAL(int, openat, int, const char *, int, ...);
DECLARE_REAL(FILE *, fopen, const char *, const char *);
DECLARE_REAL(FILE *, freopen, const char *, const char *, FILE *);
#if PRELOAD_GLIBC_ABI
DECLARE_REAL(FILE *, fopen64, const char *, const char *);
DECLARE_REAL(FILE *, freopen64, const char *, const char *, FILE *);
#endif

static int wants_write(int flags)
{
        return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_CREAT));
}

static enum rw_action action_of(int r, int after_failure)
{
        if (r >= 0)
                return after_failure ? RW_ACTION_REDIRECTED : RW_ACTION_OK;
        return rw_errno_redirectable(-r) ? RW_ACTION_DENIED : RW_ACTION_FAILED;
}

/* rw_vfs_open of the program's path (abs normalised), keeping what a trailing '/' means. */
static int open_merged(const char *path, const char *abs, int flags, mode_t mode)
{
        int f = rw_vfs_open_flags_for(path, flags);

        return f < 0 ? f : rw_vfs_open(&preload_engine, abs, f, mode);
}

/* The same after the real open failed with err, a name the index says the upper cannot hold. */
static int open_merged_denied(const char *path, const char *abs, int flags, mode_t mode, int err)
{
        int f = rw_vfs_open_flags_for(path, flags);

        return f < 0 ? f : rw_vfs_open_denied(&preload_engine, abs, f, mode, f == flags ? -err : 0);
}

int preload_open(int dirfd, const char *path, int flags, mode_t mode, const void *caller)
{
        char abs[PATH_MAX];
        int fd, err;

        if (preload_off())
                return REAL(openat)(dirfd, path, flags, mode);
        if (preload_upper_nonempty() && (preload_query(dirfd, path, abs, sizeof(abs)) & RW_INDEX_UNDER)) {
                fd = open_merged(path, abs, flags, mode);
                if (unlikely(preload_events_fd >= 0) && wants_write(flags))
                        preload_event("open", AT_FDCWD, abs, NULL, flags, fd < 0 ? -fd : 0, action_of(fd, 1), caller);
                return preload_ret(fd);
        }
        fd = REAL(openat)(dirfd, path, flags, mode);
        if (likely(fd >= 0)) {
                if (unlikely(preload_tracing()) && (wants_write(flags) || preload_record_all))
                        preload_event("open", dirfd, path, NULL, flags, 0, RW_ACTION_OK, caller);
                return fd;
        }
        err = errno;
        if (preload_engine.mode == RW_MODE_RUN && wants_write(flags) && rw_errno_redirectable(err) &&
            preload_abs_path(dirfd, path, abs, sizeof(abs)) >= 0) {
                fd = open_merged_denied(path, abs, flags, mode, err);
                preload_event("open", AT_FDCWD, abs, NULL, flags, fd < 0 ? -fd : err,
                              action_of(fd, 1), caller);
                return preload_ret(fd);
        }
        if (preload_tracing() && (wants_write(flags) || preload_record_all || rw_errno_redirectable(err)))
                preload_event("open", dirfd, path, NULL, flags, err, action_of(-err, 0), caller);
        errno = err;
        return -1;
}

#define MODE_ARG(flags, mode) \
        mode_t mode = 0; \
        if (__OPEN_NEEDS_MODE(flags)) { \
                va_list ap; \
                va_start(ap, flags); \
                mode = va_arg(ap, mode_t); \
                va_end(ap); \
        }

PRELOAD_API int open(const char *path, int flags, ...)
{
        MODE_ARG(flags, mode);
        return preload_open(AT_FDCWD, path, flags, mode, CALLER);
}

PRELOAD_API int openat(int dirfd, const char *path, int flags, ...)
{
        MODE_ARG(flags, mode);
        return preload_open(dirfd, path, flags, mode, CALLER);
}

PRELOAD_API int creat(const char *path, mode_t mode)
{
        return preload_open(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode, CALLER);
}

/* glibc-only entry points (see preload/libc_compat.h). */
#if PRELOAD_GLIBC_ABI
PRELOAD_API int open64(const char *path, int flags, ...)
{
        MODE_ARG(flags, mode);
        return preload_open(AT_FDCWD, path, flags, mode, CALLER);
}

PRELOAD_API int openat64(int dirfd, const char *path, int flags, ...)
{
        MODE_ARG(flags, mode);
        return preload_open(dirfd, path, flags, mode, CALLER);
}

/* FORTIFY_SOURCE entry points: the compiler proved no mode is needed. */
PRELOAD_API int __open_2(const char *path, int flags)
{
        return preload_open(AT_FDCWD, path, flags, 0, CALLER);
}

PRELOAD_API int __open64_2(const char *path, int flags)
{
        return preload_open(AT_FDCWD, path, flags, 0, CALLER);
}

PRELOAD_API int __openat_2(int dirfd, const char *path, int flags)
{
        return preload_open(dirfd, path, flags, 0, CALLER);
}

PRELOAD_API int __openat64_2(int dirfd, const char *path, int flags)
{
        return preload_open(dirfd, path, flags, 0, CALLER);
}

PRELOAD_API int creat64(const char *path, mode_t mode)
{
        return preload_open(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode, CALLER);
}
#endif

/* fopen mode string -> open flags, as glibc reads it. */
static int fopen_flags(const char *m)
{
        int flags;

        switch (m[0]) {
        case 'r': flags = O_RDONLY; break;
        case 'w': flags = O_WRONLY | O_CREAT | O_TRUNC; break;
        case 'a': flags = O_WRONLY | O_CREAT | O_APPEND; break;
        default: return -1;
        }
        for (const char *p = m + 1; *p && *p != ','; p++) {
                if (*p == '+')
                        flags = (flags & ~O_ACCMODE) | O_RDWR;
                else if (*p == 'x')
                        flags |= O_EXCL;
                else if (*p == 'e')
                        flags |= O_CLOEXEC;
        }
        return flags;
}

/* The stdio side of the engine: only called when a FILE must be built on an engine fd. */
static FILE *fdopen_or_close(int fd, const char *mode)
{
        FILE *f;

        if (fd < 0) {
                errno = -fd;
                return NULL;
        }
        f = fdopen(fd, mode);
        if (!f) {
                int saved = errno;
                close(fd);
                errno = saved;
        }
        return f;
}

static FILE *do_fopen(const char *path, const char *mode, FILE *(*real)(const char *, const char *),
                      const void *caller)
{
        char abs[PATH_MAX];
        int flags = mode ? fopen_flags(mode) : -1;
        FILE *f;

        if (preload_off() || flags < 0)
                return real(path, mode);
        if (preload_upper_nonempty() && (preload_query(AT_FDCWD, path, abs, sizeof(abs)) & RW_INDEX_UNDER))
                return fdopen_or_close(open_merged(path, abs, flags, 0666), mode);
        f = real(path, mode);
        if (f || !wants_write(flags) || !rw_errno_redirectable(errno)) {
                if (wants_write(flags) || preload_record_all)
                        preload_note_write("open", AT_FDCWD, path, NULL, flags, f ? 0 : -1, caller);
                return f;
        }
        /* Denied: let the open path redirect it, then wrap the fd. */
        int fd = preload_open(AT_FDCWD, path, flags, 0666, caller);
        return fdopen_or_close(fd < 0 ? -errno : fd, mode);
}

PRELOAD_API FILE *fopen(const char *path, const char *mode)
{
        return do_fopen(path, mode, REAL(fopen), CALLER);
}

#if PRELOAD_GLIBC_ABI
PRELOAD_API FILE *fopen64(const char *path, const char *mode)
{
        return do_fopen(path, mode, REAL(fopen64), CALLER);
}
#endif

/* freopen onto an engine fd goes through /proc/self/fd, which reopens the same file. */
static FILE *do_freopen(const char *path, const char *mode, FILE *stream,
                        FILE *(*real)(const char *, const char *, FILE *), const void *caller)
{
        char proc[40];
        int flags = mode ? fopen_flags(mode) : -1, fd;
        FILE *f;

        if (preload_off() || !path || flags < 0)
                return real(path, mode, stream);
        if (!preload_upper_nonempty()) {
                f = real(path, mode, stream);
                if (f || !wants_write(flags) || !rw_errno_redirectable(errno) ||
                    preload_engine.mode != RW_MODE_RUN)
                        return f;
        }
        fd = preload_open(AT_FDCWD, path, flags & ~O_TRUNC, 0666, caller);
        if (fd < 0)
                return NULL;
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        preload_busy = 1;
        f = real(proc, mode, stream);
        preload_busy = 0;
        int saved = errno;
        close(fd);
        errno = saved;
        return f;
}

PRELOAD_API FILE *freopen(const char *path, const char *mode, FILE *stream)
{
        return do_freopen(path, mode, stream, REAL(freopen), CALLER);
}

#if PRELOAD_GLIBC_ABI
PRELOAD_API FILE *freopen64(const char *path, const char *mode, FILE *stream)
{
        return do_freopen(path, mode, stream, REAL(freopen64), CALLER);
}
#endif
