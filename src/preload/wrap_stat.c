/* Lookups: the stat family (2.33+ symbols and the older __xstat forms), statx, access,
 * readlink, realpath. They see the upper copy once the upper holds a path. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/sys.h"
#include "core/vfs.h"
#include "preload/state.h"

/* Where a lookup goes: 0 pass through unchanged, 1 use the real path written to buf,
 * or -errno (the merged view deleted it). */
static int route_abs(const char *path, const char *abs, int follow, char *buf);

static int route(int dirfd, const char *path, int follow, char *buf)
{
        char abs[PATH_MAX];

        if (!preload_upper_nonempty() || !path || !*path)
                return 0;
        if (!(preload_query(dirfd, path, abs, sizeof(abs)) & RW_INDEX_UNDER))
                return 0;
        return route_abs(path, abs, follow, buf);
}

/* route() once the index sent (path, made absolute as abs) to the merged view. */
static int route_abs(const char *path, const char *abs, int follow, char *buf)
{
        size_t n = strlen(path);
        if (path[n - 1] == '/')
                follow = 1;     /* the kernel follows a symlink named with a trailing '/' */
        int r = rw_vfs_real_path(&preload_engine, abs, follow, buf, PATH_MAX);
        if (r < 0)
                return r;
        /* A trailing '/' (lost in abs) asks for a directory: let the kernel judge the real path. */
        size_t m = strlen(buf);
        if (path[n - 1] == '/' && buf[m - 1] != '/') {
                if (m + 2 > PATH_MAX)
                        return -ENAMETOOLONG;
                memcpy(buf + m, "/", 2);
        }
        return 1;
}

/* 1 when the index sends (dirfd, path) to the merged view; abs (PATH_MAX) is then its path. */
static int route_query(int dirfd, const char *path, char *abs)
{
        return preload_upper_nonempty() && path && *path &&
               (preload_query(dirfd, path, abs, PATH_MAX) & RW_INDEX_UNDER);
}

/* The stat fast path: the upper holds the parent of abs as a cached directory fd. The caller
 * makes the one real call on (ref->fd, ref->leaf) without following a last symlink. */
static int fast_ref(const char *path, const char *abs, struct rw_dirref *ref)
{
        size_t n = strlen(path);

        /* A trailing '/' asks for a directory and follows a symlink: the slow walk judges it. */
        return path[n - 1] != '/' && rw_dircache_get(&preload_engine, abs, ref);
}

/* After the fast call (result r, 0 or -errno): 1 when its answer stands, an upper object that
 * is not a symlink to follow (islnk), or no such name in the upper nor (the lower having no
 * such parent) in the lower: then errno is ENOENT. 0 sends the call down the slow walk. */
static int fast_kept(int r, int islnk, struct rw_dirref *ref)
{
        if (r == -EBADF || r == -ENOTDIR) {
                rw_dircache_drop(ref);   /* the fd is no longer ours (see vfs_dircache.c) */
                return 0;
        }
        int absent = ref->lower_absent;
        if (!rw_dircache_put(&preload_engine, ref))
                return 0;
        if (r == -ENOENT && absent) {
                errno = ENOENT;
                return 1;
        }
        return r == 0 && !islnk;
}

/* The lookup wrapper with a fast path: FAST is the call on (D, L) with AT_SYMLINK_NOFOLLOW and
 * returns 0 or -errno; MODE is the file type it filled in. */
#define STAT_WRAPPER(op, dirfd, path, follow, CALL, FAST, MODE) do { \
        char buf_[PATH_MAX], abs_[PATH_MAX]; \
        struct rw_dirref ref_; \
        const char *P = (path); \
        int dfd_ __attribute__((unused)) = (dirfd); \
        if (preload_off()) return CALL; \
        int q_ = route_query((dirfd), (path), abs_); \
        if (q_ && fast_ref((path), abs_, &ref_)) { \
                int D = ref_.fd; \
                const char *L = ref_.leaf; \
                int e_ = errno, f_ = FAST; \
                if (fast_kept(f_, f_ == 0 && (follow) && S_ISLNK(MODE), &ref_)) { \
                        note_lookup(op, (dirfd), (path), f_ ? -1 : 0, CALLER); \
                        return f_ ? -1 : 0; \
                } \
                errno = e_; \
        } \
        if (q_) { \
                int r_ = route_abs((path), abs_, (follow), buf_); \
                if (r_ < 0) return preload_ret(r_); \
                P = buf_; \
                dfd_ = AT_FDCWD; \
        } \
        int res_ = CALL; \
        note_lookup(op, (dirfd), (path), res_, CALLER); \
        return res_; \
} while (0)

/* The kernel's struct stat is glibc's (and its stat64's) on 64-bit targets; elsewhere the fast
 * path steps aside (ENOSYS) and the slow walk serves the call. */
#define FAST_STAT(st, flags) (sizeof(*(st)) == sizeof(struct stat) ? \
        rw_fstatat(D, L, (struct stat *)(void *)(st), (flags) | AT_SYMLINK_NOFOLLOW) : -ENOSYS)

static void note_lookup(const char *op, int dirfd, const char *path, int r, const void *caller)
{
        if (unlikely(preload_record_all && preload_tracing())) {
                int err = r < 0 ? errno : 0;
                preload_event(op, dirfd, path, NULL, -1, err,
                              err == 0 ? RW_ACTION_OK : rw_errno_redirectable(err) ? RW_ACTION_DENIED
                              : RW_ACTION_FAILED, caller);
                errno = err ? err : errno;
        }
}

/* One wrapper for a path-taking lookup: CALL is the real call with P as the path. */
#define LOOKUP_WRAPPER(op, dirfd, path, follow, CALL) do { \
        char buf_[PATH_MAX]; \
        const char *P = (path); \
        int dfd_ __attribute__((unused)) = (dirfd); \
        if (preload_off()) return CALL; \
        int r_ = route((dirfd), (path), (follow), buf_); \
        if (r_ < 0) return preload_ret(r_); \
        if (r_) { P = buf_; dfd_ = AT_FDCWD; } \
        int res_ = CALL; \
        note_lookup(op, (dirfd), (path), res_, CALLER); \
        return res_; \
} while (0)

DECLARE_REAL(int, stat, const char *, struct stat *);
DECLARE_REAL(int, lstat, const char *, struct stat *);
DECLARE_REAL(int, fstatat, int, const char *, struct stat *, int);
DECLARE_REAL_OPT(int, statx, int, const char *, int, unsigned, struct statx *);

/* statx(2) itself when the running libc has no statx (musl before 1.2.5). */
static int libc_statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *st)
{
        if (likely(REAL_OPT(statx) != NULL))
                return real_statx(dirfd, path, flags, mask, st);
        return preload_ret((int)rw_sysret(RW_SYSCALL(SYS_statx, dirfd, path, flags, mask, st)));
}

#if PRELOAD_GLIBC_ABI
/* The pre-2.33 stat entry points, still exported by glibc for old binaries. */
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);

DECLARE_REAL(int, stat64, const char *, struct stat64 *);
DECLARE_REAL(int, lstat64, const char *, struct stat64 *);
DECLARE_REAL(int, fstatat64, int, const char *, struct stat64 *, int);
DECLARE_REAL(int, __xstat, int, const char *, struct stat *);
DECLARE_REAL(int, __xstat64, int, const char *, struct stat64 *);
DECLARE_REAL(int, __lxstat, int, const char *, struct stat *);
DECLARE_REAL(int, __lxstat64, int, const char *, struct stat64 *);
DECLARE_REAL(int, __fxstatat, int, int, const char *, struct stat *, int);
DECLARE_REAL(int, __fxstatat64, int, int, const char *, struct stat64 *, int);
#endif

/* statvfs/statfs: the file system that holds the path in the merged view (the upper's, for an
 * upper copy); glibc's statvfs calls its internal statfs, so each is wrapped. */
DECLARE_REAL(int, statvfs, const char *, struct statvfs *);
DECLARE_REAL(int, statfs, const char *, struct statfs *);

PRELOAD_API int statvfs(const char *path, struct statvfs *st)
{ LOOKUP_WRAPPER("statfs", AT_FDCWD, path, 1, REAL(statvfs)(P, st)); }
PRELOAD_API int statfs(const char *path, struct statfs *st)
{ LOOKUP_WRAPPER("statfs", AT_FDCWD, path, 1, REAL(statfs)(P, st)); }

#ifdef __GLIBC__
/* musl's headers make the *64 names macros for the plain ones. */
DECLARE_REAL(int, statvfs64, const char *, struct statvfs64 *);
DECLARE_REAL(int, statfs64, const char *, struct statfs64 *);

PRELOAD_API int statvfs64(const char *path, struct statvfs64 *st)
{ LOOKUP_WRAPPER("statfs", AT_FDCWD, path, 1, REAL(statvfs64)(P, st)); }
PRELOAD_API int statfs64(const char *path, struct statfs64 *st)
{ LOOKUP_WRAPPER("statfs", AT_FDCWD, path, 1, REAL(statfs64)(P, st)); }
#endif

PRELOAD_API int stat(const char *path, struct stat *st)
{ STAT_WRAPPER("stat", AT_FDCWD, path, 1, REAL(stat)(P, st), FAST_STAT(st, 0), st->st_mode); }
PRELOAD_API int lstat(const char *path, struct stat *st)
{ STAT_WRAPPER("lstat", AT_FDCWD, path, 0, REAL(lstat)(P, st), FAST_STAT(st, 0), st->st_mode); }
PRELOAD_API int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{ STAT_WRAPPER("stat", dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), REAL(fstatat)(dfd_, P, st, flags),
               FAST_STAT(st, flags), st->st_mode); }
#ifdef STATX_TYPE
/* STATX_TYPE: the fast path must know whether it met a symlink to follow. */
PRELOAD_API int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *st)
{ STAT_WRAPPER("stat", dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), libc_statx(dfd_, P, flags, mask, st),
               (int)rw_sysret(RW_SYSCALL(SYS_statx, D, L, flags | AT_SYMLINK_NOFOLLOW, mask | STATX_TYPE, st)),
               st->stx_mode); }
#else   /* headers without struct statx (musl before 1.2.5): the slow walk only */
PRELOAD_API int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *st)
{ LOOKUP_WRAPPER("stat", dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), libc_statx(dfd_, P, flags, mask, st)); }
#endif

#if PRELOAD_GLIBC_ABI
PRELOAD_API int stat64(const char *path, struct stat64 *st)
{ STAT_WRAPPER("stat", AT_FDCWD, path, 1, REAL(stat64)(P, st), FAST_STAT(st, 0), st->st_mode); }
PRELOAD_API int lstat64(const char *path, struct stat64 *st)
{ STAT_WRAPPER("lstat", AT_FDCWD, path, 0, REAL(lstat64)(P, st), FAST_STAT(st, 0), st->st_mode); }
PRELOAD_API int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{ STAT_WRAPPER("stat", dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), REAL(fstatat64)(dfd_, P, st, flags),
               FAST_STAT(st, flags), st->st_mode); }
/* The old entry points: ver only names the layout, the kernel's on 64-bit targets (FAST_STAT). */
PRELOAD_API int __xstat(int ver, const char *path, struct stat *st)
{ STAT_WRAPPER("stat", AT_FDCWD, path, 1, REAL(__xstat)(ver, P, st), FAST_STAT(st, 0), st->st_mode); }
PRELOAD_API int __xstat64(int ver, const char *path, struct stat64 *st)
{ STAT_WRAPPER("stat", AT_FDCWD, path, 1, REAL(__xstat64)(ver, P, st), FAST_STAT(st, 0), st->st_mode); }
PRELOAD_API int __lxstat(int ver, const char *path, struct stat *st)
{ STAT_WRAPPER("lstat", AT_FDCWD, path, 0, REAL(__lxstat)(ver, P, st), FAST_STAT(st, 0), st->st_mode); }
PRELOAD_API int __lxstat64(int ver, const char *path, struct stat64 *st)
{ STAT_WRAPPER("lstat", AT_FDCWD, path, 0, REAL(__lxstat64)(ver, P, st), FAST_STAT(st, 0), st->st_mode); }
PRELOAD_API int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{ STAT_WRAPPER("stat", dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), REAL(__fxstatat)(ver, dfd_, P, st, flags),
               FAST_STAT(st, flags), st->st_mode); }
PRELOAD_API int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags)
{ STAT_WRAPPER("stat", dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), REAL(__fxstatat64)(ver, dfd_, P, st, flags),
               FAST_STAT(st, flags), st->st_mode); }
#endif

/* ---- access ---- */
DECLARE_REAL(int, faccessat, int, const char *, int, int);

/* access() of an upper object in a cached parent: its own answer (the upper copy is the
 * merged view's, and W_OK is granted only on lower paths). F_OK is the fstatat alone. Returns 1
 * with *ret (0 or -errno) set, or 0 for the slow walk (a symlink to follow, a miss). */
static int access_fast(const char *path, const char *abs, int mode, int flags, int *ret)
{
        struct rw_dirref ref;
        struct stat st;
        int follow = !(flags & AT_SYMLINK_NOFOLLOW);

        if (!*path || !fast_ref(path, abs, &ref))
                return 0;
        int r = rw_fstatat(ref.fd, ref.leaf, &st, AT_SYMLINK_NOFOLLOW);
        if (r == 0 && mode != F_OK && !(follow && S_ISLNK(st.st_mode)))
                r = rw_faccessat(ref.fd, ref.leaf, mode, flags | AT_SYMLINK_NOFOLLOW);
        if (r == -EBADF || r == -ENOTDIR) {
                rw_dircache_drop(&ref);
                return 0;
        }
        int absent = ref.lower_absent;
        if (!rw_dircache_put(&preload_engine, &ref) || (follow && r == 0 && S_ISLNK(st.st_mode)))
                return 0;
        if (r == -ENOENT && !absent)
                return 0;   /* not in the upper: the lower or a whiteout decides */
        *ret = r;
        return 1;
}

static int do_access(int dirfd, const char *path, int mode, int flags, const void *caller)
{
        char abs[PATH_MAX];
        int r, err;

        if (preload_off())
                return REAL(faccessat)(dirfd, path, mode, flags);
        if (preload_upper_nonempty() && (preload_query(dirfd, path, abs, sizeof(abs)) & RW_INDEX_UNDER)) {
                if (access_fast(path, abs, mode, flags, &r))
                        return preload_ret(r);
                return preload_ret(rw_vfs_access(&preload_engine, abs, mode, flags));
        }
        r = REAL(faccessat)(dirfd, path, mode, flags);
        if (r == 0 || !(mode & W_OK) || preload_engine.mode != RW_MODE_RUN) {
                note_lookup("access", dirfd, path, r, caller);
                return r;
        }
        err = errno;
        if (!rw_errno_redirectable(err) || preload_abs_path(dirfd, path, abs, sizeof(abs)) < 0) {
                errno = err;
                return r;
        }
        return preload_ret(rw_vfs_access(&preload_engine, abs, mode, flags));
}

PRELOAD_API int access(const char *path, int mode) { return do_access(AT_FDCWD, path, mode, 0, CALLER); }
PRELOAD_API int faccessat(int dirfd, const char *path, int mode, int flags)
{ return do_access(dirfd, path, mode, flags, CALLER); }
PRELOAD_API int euidaccess(const char *path, int mode) { return do_access(AT_FDCWD, path, mode, AT_EACCESS, CALLER); }
PRELOAD_API int eaccess(const char *path, int mode) { return do_access(AT_FDCWD, path, mode, AT_EACCESS, CALLER); }

/* ---- readlink: /proc/self/fd/N and /proc/self/cwd name virtual paths, never the upper ---- */
DECLARE_REAL(ssize_t, readlinkat, int, const char *, char *, size_t);
DECLARE_REAL(ssize_t, readlink, const char *, char *, size_t);

/* readlink(path) stays readlink(2) when it passes through, as the program asked. */
static ssize_t real_readlink_at(int dirfd, const char *path, char *buf, size_t size)
{
        return dirfd == AT_FDCWD ? REAL(readlink)(path, buf, size) : REAL(readlinkat)(dirfd, path, buf, size);
}

static ssize_t virtualise_link(char *buf, size_t size, ssize_t n)
{
        char real[PATH_MAX], virt[PATH_MAX];

        if (n <= 0 || preload_engine.mode != RW_MODE_RUN || (size_t)n >= sizeof(real) ||
            (size_t)n < preload_engine.upper.fs_len || buf[0] != '/')
                return n;
        memcpy(real, buf, (size_t)n);
        real[n] = '\0';
        if (rw_upper_to_virtual(&preload_engine.upper, real, virt, sizeof(virt)) != 1)
                return n;
        size_t len = strlen(virt);
        if (len > size)
                len = size;
        memcpy(buf, virt, len);
        return (ssize_t)len;
}

static ssize_t do_readlink(int dirfd, const char *path, char *buf, size_t size)
{
        char routed[PATH_MAX];
        int r;

        if (preload_off())
                return real_readlink_at(dirfd, path, buf, size);
        r = route(dirfd, path, 0, routed);
        if (r < 0)
                return preload_ret(r);
        ssize_t n = real_readlink_at(r ? AT_FDCWD : dirfd, r ? routed : path, buf, size);
        return virtualise_link(buf, size, n);
}

PRELOAD_API ssize_t readlink(const char *path, char *buf, size_t size) { return do_readlink(AT_FDCWD, path, buf, size); }
PRELOAD_API ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t size)
{ return do_readlink(dirfd, path, buf, size); }

/* ---- realpath ---- */
DECLARE_REAL(char *, realpath, const char *, char *);

static char *do_realpath(const char *path, char *resolved)
{
        char abs[PATH_MAX], out[PATH_MAX], virt[PATH_MAX];
        char *res;

        if (preload_off() || !path)
                return REAL(realpath)(path, resolved);
        if (preload_upper_nonempty() && (preload_query(AT_FDCWD, path, abs, sizeof(abs)) & RW_INDEX_UNDER)) {
                int r = rw_vfs_realpath(&preload_engine, abs, out, sizeof(out));
                if (r < 0) {
                        errno = -r;
                        return NULL;
                }
        } else {
                res = REAL(realpath)(path, NULL);
                if (!res)
                        return NULL;
                if (strlen(res) >= sizeof(out)) {
                        free(res);
                        errno = ENAMETOOLONG;
                        return NULL;
                }
                strcpy(out, res);
                free(res);
        }
        if (preload_engine.mode == RW_MODE_RUN &&
            rw_upper_to_virtual(&preload_engine.upper, out, virt, sizeof(virt)) == 1)
                strcpy(out, virt);
        if (resolved) {
                strcpy(resolved, out);
                return resolved;
        }
        return strdup(out);
}

PRELOAD_API char *realpath(const char *path, char *resolved) { return do_realpath(path, resolved); }
#if PRELOAD_GLIBC_ABI
char *__realpath_chk(const char *path, char *resolved, size_t len);
PRELOAD_API char *canonicalize_file_name(const char *path) { return do_realpath(path, NULL); }
PRELOAD_API char *__realpath_chk(const char *path, char *resolved, size_t len)
{
        (void)len;
        return do_realpath(path, resolved);
}
#endif

/* ---- extended attributes: read on the upper copy once it exists (ls -l asks for ACLs) ---- */
#include <sys/xattr.h>

#define XATTR_WRAPPER(op, path, follow, CALL) do { \
        char buf_[PATH_MAX]; \
        const char *P = (path); \
        if (preload_off()) return CALL; \
        int r_ = route(AT_FDCWD, (path), (follow), buf_); \
        if (r_ < 0) return preload_ret(r_); \
        if (r_) P = buf_; \
        return CALL; \
} while (0)

DECLARE_REAL(ssize_t, getxattr, const char *, const char *, void *, size_t);
DECLARE_REAL(ssize_t, lgetxattr, const char *, const char *, void *, size_t);
DECLARE_REAL(ssize_t, listxattr, const char *, char *, size_t);
DECLARE_REAL(ssize_t, llistxattr, const char *, char *, size_t);

PRELOAD_API ssize_t getxattr(const char *path, const char *name, void *value, size_t size)
{ XATTR_WRAPPER("getxattr", path, 1, REAL(getxattr)(P, name, value, size)); }
PRELOAD_API ssize_t lgetxattr(const char *path, const char *name, void *value, size_t size)
{ XATTR_WRAPPER("getxattr", path, 0, REAL(lgetxattr)(P, name, value, size)); }
PRELOAD_API ssize_t listxattr(const char *path, char *list, size_t size)
{ XATTR_WRAPPER("listxattr", path, 1, REAL(listxattr)(P, list, size)); }
PRELOAD_API ssize_t llistxattr(const char *path, char *list, size_t size)
{ XATTR_WRAPPER("listxattr", path, 0, REAL(llistxattr)(P, list, size)); }
