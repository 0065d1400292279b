/* Calls that create, remove, rename or change metadata of a path (besides open). Each one is
 * described by a struct mutation and goes through mutate(): pass through, or redirect. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <utime.h>

#include "core/sys.h"
#include "core/vfs.h"
#include "preload/open.h"
#include "preload/state.h"

struct mutation {
        const char *op;
        int dirfd;
        const char *path;
        int dirfd2;                 /* rename/link target, or symlink: path2 is the target text */
        const char *path2;
        int path2_is_path;
        int (*real)(const struct mutation *m);
        int (*vfs)(const char *abs, const char *abs2, const struct mutation *m);
        mode_t mode;
        int flags;
        uid_t uid;
        gid_t gid;
        off_t length;
        const struct timespec *times;
        const void *extra;          /* per-call arguments that fit no field above (xattrs) */
        int native_err;             /* -errno of the real call when it was refused, else 0 */
};

static int redirect(const struct mutation *m, char *abs, char *abs2)
{
        if (preload_abs_path(m->dirfd, m->path, abs, PATH_MAX) < 0)
                return -EINVAL;
        if (m->path2_is_path && preload_abs_path(m->dirfd2, m->path2, abs2, PATH_MAX) < 0)
                return -EINVAL;
        return m->vfs(abs, m->path2_is_path ? abs2 : m->path2, m);
}

static int mutate(struct mutation *m, const void *caller)
{
        char abs[PATH_MAX], abs2[PATH_MAX];
        int r, err;

        if (preload_off())
                return m->real(m);
        if (preload_upper_nonempty()) {
                int q = preload_query(m->dirfd, m->path, abs, sizeof(abs));
                int q2 = m->path2_is_path ? preload_query(m->dirfd2, m->path2, abs2, sizeof(abs2)) : 1;
                if ((q | (m->path2_is_path ? q2 : 0)) & RW_INDEX_UNDER) {
                        /* A non-zero answer filled in the absolute path: making it again would
                         * cost a readlink of /proc/self/fd/N for a dirfd. */
                        r = q && q2 ? m->vfs(abs, m->path2_is_path ? abs2 : m->path2, m) : redirect(m, abs, abs2);
                        if (unlikely(preload_events_fd >= 0))   /* run -v: what the upper took */
                                preload_event(m->op, AT_FDCWD, abs, m->path2_is_path ? abs2 : NULL, -1, r < 0 ? -r : 0,
                                              r == 0 ? RW_ACTION_REDIRECTED : rw_errno_redirectable(-r) ? RW_ACTION_DENIED
                                              : RW_ACTION_FAILED, caller);
                        return preload_ret(r);
                }
        }
        r = m->real(m);
        if (likely(r == 0)) {
                preload_note_write(m->op, m->dirfd, m->path, m->path2_is_path ? m->path2 : NULL, -1, 0, caller);
                return 0;
        }
        err = errno;
        if (preload_engine.mode == RW_MODE_RUN && rw_errno_redirectable(err)) {
                m->native_err = -err;
                r = redirect(m, abs, abs2);
                if (r == -EINVAL)
                        r = -err;
                preload_event(m->op, m->dirfd, m->path, m->path2_is_path ? m->path2 : NULL, -1,
                              r < 0 ? -r : err, r < 0 ? RW_ACTION_DENIED : RW_ACTION_REDIRECTED, caller);
                return preload_ret(r);
        }
        preload_note_write(m->op, m->dirfd, m->path, m->path2_is_path ? m->path2 : NULL, -1, -1, caller);
        errno = err;
        return -1;
}

/* ---- mkdir ---- */
DECLARE_REAL(int, mkdirat, int, const char *, mode_t);
static int real_mkdir_m(const struct mutation *m) { return REAL(mkdirat)(m->dirfd, m->path, m->mode); }
static int vfs_mkdir_m(const char *a, const char *b, const struct mutation *m)
{ (void)b; return rw_vfs_mkdir_denied(&preload_engine, a, m->mode, m->native_err); }

int preload_mkdir(int dirfd, const char *path, mode_t mode, const void *caller)
{
        struct mutation m = { .op = "mkdir", .dirfd = dirfd, .path = path, .mode = mode,
                              .real = real_mkdir_m, .vfs = vfs_mkdir_m };
        return mutate(&m, caller);
}
PRELOAD_API int mkdir(const char *path, mode_t mode) { return preload_mkdir(AT_FDCWD, path, mode, CALLER); }
PRELOAD_API int mkdirat(int dirfd, const char *path, mode_t mode) { return preload_mkdir(dirfd, path, mode, CALLER); }

/* ---- unlink, rmdir ---- */
DECLARE_REAL(int, unlinkat, int, const char *, int);
static int real_unlink_m(const struct mutation *m) { return REAL(unlinkat)(m->dirfd, m->path, m->flags); }
static int vfs_unlink_m(const char *a, const char *b, const struct mutation *m)
{
        (void)b;
        return (m->flags & AT_REMOVEDIR) ? rw_vfs_rmdir(&preload_engine, a) : rw_vfs_unlink(&preload_engine, a);
}

static int do_unlink(int dirfd, const char *path, int flags, const void *caller)
{
        struct mutation m = { .op = (flags & AT_REMOVEDIR) ? "rmdir" : "unlink", .dirfd = dirfd,
                              .path = path, .flags = flags, .real = real_unlink_m, .vfs = vfs_unlink_m };
        int r = mutate(&m, caller);
        if (r == 0 && (flags & AT_REMOVEDIR))
                preload_dirs_moved();
        return r;
}
PRELOAD_API int unlink(const char *path) { return do_unlink(AT_FDCWD, path, 0, CALLER); }
PRELOAD_API int unlinkat(int dirfd, const char *path, int flags) { return do_unlink(dirfd, path, flags, CALLER); }
PRELOAD_API int rmdir(const char *path) { return do_unlink(AT_FDCWD, path, AT_REMOVEDIR, CALLER); }
PRELOAD_API int remove(const char *path)
{
        int r = do_unlink(AT_FDCWD, path, 0, CALLER);
        return (r < 0 && errno == EISDIR) ? do_unlink(AT_FDCWD, path, AT_REMOVEDIR, CALLER) : r;
}

/* ---- rename ---- */
DECLARE_REAL_OPT(int, renameat2, int, const char *, int, const char *, unsigned);
DECLARE_REAL(int, renameat, int, const char *, int, const char *);
static int real_rename_m(const struct mutation *m)
{
        if (!m->flags)
                return REAL(renameat)(m->dirfd, m->path, m->dirfd2, m->path2);
        if (likely(REAL_OPT(renameat2) != NULL))
                return real_renameat2(m->dirfd, m->path, m->dirfd2, m->path2, (unsigned)m->flags);
        /* musl before 1.2.5 has no renameat2() */
        return preload_ret(rw_renameat2(m->dirfd, m->path, m->dirfd2, m->path2, (unsigned)m->flags));
}
static int vfs_rename_m(const char *a, const char *b, const struct mutation *m)
{ return rw_vfs_rename(&preload_engine, a, b, (unsigned)m->flags); }

static int do_rename(int d1, const char *p1, int d2, const char *p2, unsigned flags, const void *caller)
{
        struct mutation m = { .op = "rename", .dirfd = d1, .path = p1, .dirfd2 = d2, .path2 = p2,
                              .path2_is_path = 1, .flags = (int)flags, .real = real_rename_m, .vfs = vfs_rename_m };
        int r = mutate(&m, caller);
        if (r == 0)
                preload_dirs_moved();
        return r;
}
PRELOAD_API int rename(const char *a, const char *b) { return do_rename(AT_FDCWD, a, AT_FDCWD, b, 0, CALLER); }
PRELOAD_API int renameat(int d1, const char *a, int d2, const char *b) { return do_rename(d1, a, d2, b, 0, CALLER); }
PRELOAD_API int renameat2(int d1, const char *a, int d2, const char *b, unsigned flags)
{ return do_rename(d1, a, d2, b, flags, CALLER); }

/* ---- link, symlink ---- */
DECLARE_REAL(int, linkat, int, const char *, int, const char *, int);
static int real_link_m(const struct mutation *m) { return REAL(linkat)(m->dirfd, m->path, m->dirfd2, m->path2, m->flags); }
static int vfs_link_m(const char *a, const char *b, const struct mutation *m)
{ return rw_vfs_link(&preload_engine, a, b, m->flags); }

static int do_link(int d1, const char *p1, int d2, const char *p2, int flags, const void *caller)
{
        struct mutation m = { .op = "link", .dirfd = d1, .path = p1, .dirfd2 = d2, .path2 = p2,
                              .path2_is_path = 1, .flags = flags, .real = real_link_m, .vfs = vfs_link_m };
        return mutate(&m, caller);
}
PRELOAD_API int link(const char *a, const char *b) { return do_link(AT_FDCWD, a, AT_FDCWD, b, 0, CALLER); }
PRELOAD_API int linkat(int d1, const char *a, int d2, const char *b, int flags) { return do_link(d1, a, d2, b, flags, CALLER); }

DECLARE_REAL(int, symlinkat, const char *, int, const char *);
/* For symlink the created path is path; path2 carries the link's text. */
static int real_symlink_m(const struct mutation *m) { return REAL(symlinkat)(m->path2, m->dirfd, m->path); }
static int vfs_symlink_m(const char *a, const char *b, const struct mutation *m)
{ (void)m; return rw_vfs_symlink(&preload_engine, b, a); }

static int do_symlink(const char *target, int dirfd, const char *path, const void *caller)
{
        struct mutation m = { .op = "symlink", .dirfd = dirfd, .path = path, .path2 = target,
                              .real = real_symlink_m, .vfs = vfs_symlink_m };
        return mutate(&m, caller);
}
PRELOAD_API int symlink(const char *target, const char *path) { return do_symlink(target, AT_FDCWD, path, CALLER); }
PRELOAD_API int symlinkat(const char *target, int dirfd, const char *path) { return do_symlink(target, dirfd, path, CALLER); }

/* ---- metadata: chmod, chown, utimens, truncate ---- */
static int follows(const struct mutation *m) { return !(m->flags & AT_SYMLINK_NOFOLLOW); }

static int vfs_chmod_m(const char *a, const char *b, const struct mutation *m)
{ (void)b; return rw_vfs_chmod(&preload_engine, a, m->mode, follows(m)); }
static int vfs_chown_m(const char *a, const char *b, const struct mutation *m)
{ (void)b; return rw_vfs_chown(&preload_engine, a, m->uid, m->gid, follows(m)); }
static int vfs_utimens_m(const char *a, const char *b, const struct mutation *m)
{ (void)b; return rw_vfs_utimens(&preload_engine, a, m->times, follows(m)); }
static int vfs_truncate_m(const char *a, const char *b, const struct mutation *m)
{ (void)b; return rw_vfs_truncate(&preload_engine, a, m->length); }

DECLARE_REAL(int, fchmodat, int, const char *, mode_t, int);
DECLARE_REAL(int, fchownat, int, const char *, uid_t, gid_t, int);
DECLARE_REAL(int, utimensat, int, const char *, const struct timespec *, int);
DECLARE_REAL(int, truncate, const char *, off_t);
static int real_chmod_m(const struct mutation *m) { return REAL(fchmodat)(m->dirfd, m->path, m->mode, m->flags); }
static int real_chown_m(const struct mutation *m) { return REAL(fchownat)(m->dirfd, m->path, m->uid, m->gid, m->flags); }
static int real_utimens_m(const struct mutation *m) { return REAL(utimensat)(m->dirfd, m->path, m->times, m->flags); }
static int real_truncate_m(const struct mutation *m) { return REAL(truncate)(m->path, m->length); }

static int do_chmod(int dirfd, const char *path, mode_t mode, int flags, const void *caller)
{
        struct mutation m = { .op = "chmod", .dirfd = dirfd, .path = path, .mode = mode, .flags = flags,
                              .real = real_chmod_m, .vfs = vfs_chmod_m };
        return mutate(&m, caller);
}
PRELOAD_API int chmod(const char *path, mode_t mode) { return do_chmod(AT_FDCWD, path, mode, 0, CALLER); }
PRELOAD_API int fchmodat(int dirfd, const char *path, mode_t mode, int flags) { return do_chmod(dirfd, path, mode, flags, CALLER); }
PRELOAD_API int lchmod(const char *path, mode_t mode) { return do_chmod(AT_FDCWD, path, mode, AT_SYMLINK_NOFOLLOW, CALLER); }

static int do_chown(int dirfd, const char *path, uid_t uid, gid_t gid, int flags, const void *caller)
{
        struct mutation m = { .op = "chown", .dirfd = dirfd, .path = path, .uid = uid, .gid = gid,
                              .flags = flags, .real = real_chown_m, .vfs = vfs_chown_m };
        return mutate(&m, caller);
}
PRELOAD_API int chown(const char *path, uid_t u, gid_t g) { return do_chown(AT_FDCWD, path, u, g, 0, CALLER); }
PRELOAD_API int lchown(const char *path, uid_t u, gid_t g) { return do_chown(AT_FDCWD, path, u, g, AT_SYMLINK_NOFOLLOW, CALLER); }
PRELOAD_API int fchownat(int dirfd, const char *path, uid_t u, gid_t g, int flags) { return do_chown(dirfd, path, u, g, flags, CALLER); }

static int do_utimens(int dirfd, const char *path, const struct timespec ts[2], int flags, const void *caller)
{
        struct mutation m = { .op = "utimens", .dirfd = dirfd, .path = path, .times = ts, .flags = flags,
                              .real = real_utimens_m, .vfs = vfs_utimens_m };
        if (!path)   /* utimensat(fd, NULL, ...) is futimens: no path to redirect */
                return REAL(utimensat)(dirfd, path, ts, flags);
        return mutate(&m, caller);
}
PRELOAD_API int utimensat(int dirfd, const char *path, const struct timespec ts[2], int flags)
{ return do_utimens(dirfd, path, ts, flags, CALLER); }

static void timeval_to_timespec(const struct timeval tv[2], struct timespec ts[2])
{
        for (int i = 0; i < 2; i++) {
                ts[i].tv_sec = tv[i].tv_sec;
                ts[i].tv_nsec = tv[i].tv_usec * 1000;
        }
}
PRELOAD_API int utimes(const char *path, const struct timeval tv[2])
{
        struct timespec ts[2];
        if (tv)
                timeval_to_timespec(tv, ts);
        return do_utimens(AT_FDCWD, path, tv ? ts : NULL, 0, CALLER);
}
PRELOAD_API int lutimes(const char *path, const struct timeval tv[2])
{
        struct timespec ts[2];
        if (tv)
                timeval_to_timespec(tv, ts);
        return do_utimens(AT_FDCWD, path, tv ? ts : NULL, AT_SYMLINK_NOFOLLOW, CALLER);
}
PRELOAD_API int futimesat(int dirfd, const char *path, const struct timeval tv[2])
{
        struct timespec ts[2];
        if (tv)
                timeval_to_timespec(tv, ts);
        return do_utimens(dirfd, path, tv ? ts : NULL, 0, CALLER);
}
PRELOAD_API int utime(const char *path, const struct utimbuf *t)
{
        struct timespec ts[2];
        if (t) {
                ts[0].tv_sec = t->actime;
                ts[1].tv_sec = t->modtime;
                ts[0].tv_nsec = ts[1].tv_nsec = 0;
        }
        return do_utimens(AT_FDCWD, path, t ? ts : NULL, 0, CALLER);
}

static int do_truncate(const char *path, off_t len, const void *caller)
{
        struct mutation m = { .op = "truncate", .dirfd = AT_FDCWD, .path = path, .length = len,
                              .real = real_truncate_m, .vfs = vfs_truncate_m };
        return mutate(&m, caller);
}
PRELOAD_API int truncate(const char *path, off_t len) { return do_truncate(path, len, CALLER); }
#if PRELOAD_GLIBC_ABI
PRELOAD_API int truncate64(const char *path, off_t len) { return do_truncate(path, len, CALLER); }
#endif

/* ---- extended attributes (mv and cp -a set ACLs on what they create) ---- */
struct xattr_args {
        const char *name;
        const void *value;
        size_t size;
        int flags;
        int remove;
};

static int meta_xattr(const char *real, int follow, const void *arg)
{
        const struct mutation *m = arg;
        const struct xattr_args *x = m->extra;
        long r;

        if (x->remove)
                r = RW_SYSCALL(follow ? SYS_removexattr : SYS_lremovexattr, real, x->name);
        else
                r = RW_SYSCALL(follow ? SYS_setxattr : SYS_lsetxattr, real, x->name, x->value, x->size, x->flags);
        return r < 0 ? -errno : 0;
}
static int vfs_xattr_m(const char *a, const char *b, const struct mutation *m)
{ (void)b; return rw_vfs_meta(&preload_engine, a, follows(m), meta_xattr, m); }
static int real_xattr_m(const struct mutation *m) { return meta_xattr(m->path, follows(m), m) < 0 ? -1 : 0; }

static int do_xattr(const char *path, const struct xattr_args *x, int nofollow, const void *caller)
{
        struct mutation m = { .op = x->remove ? "removexattr" : "setxattr", .dirfd = AT_FDCWD, .path = path,
                              .flags = nofollow ? AT_SYMLINK_NOFOLLOW : 0,
                              .extra = x,
                              .real = real_xattr_m, .vfs = vfs_xattr_m };
        return mutate(&m, caller);
}
PRELOAD_API int setxattr(const char *path, const char *name, const void *value, size_t size, int flags)
{
        struct xattr_args x = { name, value, size, flags, 0 };
        return do_xattr(path, &x, 0, CALLER);
}
PRELOAD_API int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)
{
        struct xattr_args x = { name, value, size, flags, 0 };
        return do_xattr(path, &x, 1, CALLER);
}
PRELOAD_API int removexattr(const char *path, const char *name)
{
        struct xattr_args x = { name, NULL, 0, 0, 1 };
        return do_xattr(path, &x, 0, CALLER);
}
PRELOAD_API int lremovexattr(const char *path, const char *name)
{
        struct xattr_args x = { name, NULL, 0, 0, 1 };
        return do_xattr(path, &x, 1, CALLER);
}
