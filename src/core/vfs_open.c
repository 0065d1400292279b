/* open() over the merged view, with copy-up (preload-safe). */
#include "core/vfs.h"

#include <string.h>

#include "core/copy_up.h"
#include "core/sys.h"
#include "core/vfs_common.h"

static int wants_write(int flags)
{
        return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_CREAT));
}

/* Creates (or opens) the object in the upper at the resolved path of w, in the upper parent
 * the lookup already opened when there is one. */
static int open_in_upper(const struct rw_engine *e, const char *abs, const struct rw_where *w,
                         int flags, mode_t mode)
{
        const char *name = w->name;
        int parent = w->parent_fd >= 0 ? w->parent_fd : rw_upper_parent(&e->upper, w->path, &name);
        int fd;

        if (parent < 0)
                return parent;
        rw_engine_register(e, abs, w->path);
        /* O_NOFOLLOW: the upper name was just checked not to be a symlink; never follow one
         * planted since, which could point outside the upper. */
        fd = rw_openat(parent, name, flags | O_NOFOLLOW, mode);
        if (fd >= 0 && (flags & O_CREAT) && w->kind == RW_GONE)
                rw_whiteout_remove(parent, name);
        if (parent != w->parent_fd)
                rw_close(parent);
        return fd;
}

/* The real open failed with native_err on a lower path: copy up or create in the upper. */
static int redirect_open(const struct rw_engine *e, const char *abs, const struct rw_where *w,
                         int flags, mode_t mode, int native_err)
{
        struct stat st;

        /* ENOENT from the real open: the lower has no such file (its dir is upper-only). */
        if (native_err == -ENOENT || !rw_lower_exists(w->path, &st))
                return (flags & O_CREAT) ? open_in_upper(e, abs, w, flags, mode) : native_err;
        if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
                return -EEXIST;
        if (S_ISDIR(st.st_mode) && (flags & O_TMPFILE) == O_TMPFILE) {
                /* An unnamed file in a directory we may not write: make it in the upper copy of
                 * the directory; linkat() of /proc/self/fd/N names it there later. */
                rw_engine_register(e, abs, w->path);
                int dir = rw_upper_mkdirs(&e->upper, w->path);
                if (dir < 0)
                        return dir;
                int fd = rw_openat(dir, ".", flags, mode);
                rw_close(dir);
                return fd;
        }
        if (!S_ISREG(st.st_mode))
                return native_err;   /* directories and special files are never copied up here */
        rw_engine_register(e, abs, w->path);
        int r = rw_copy_up(&e->upper, w->path, !(flags & O_TRUNC));
        if (r < 0)
                return r == -EACCES ? native_err : r;
        struct rw_where copied = *w;
        copied.parent_fd = -1;   /* copy-up may have just created the upper parent */
        copied.kind = RW_UPPER;
        return open_in_upper(e, abs, &copied, flags & ~(O_CREAT | O_EXCL), mode);
}

#define RW_SLOW (-4096)

/* openat in the cached upper parent; RW_SLOW (never a stale answer) when the fd turned out to
 * be no longer ours or an upper directory changed meanwhile: the caller takes the slow walk. */
static int open_cached(const struct rw_engine *e, struct rw_dirref *ref, int flags, mode_t mode)
{
        /* O_NOFOLLOW: a symlink in the upper is resolved by the merged lookup, never by the kernel
         * from inside the upper (ELOOP sends it there). */
        int fd = rw_openat(ref->fd, ref->leaf, flags | O_NOFOLLOW, mode);

        if (fd == -EBADF || fd == -ENOTDIR) {
                rw_dircache_drop(ref);
                return RW_SLOW;
        }
        if (!rw_dircache_put(e, ref)) {
                if (fd >= 0)
                        rw_close(fd);
                return RW_SLOW;
        }
        return fd;
}

/* The fast paths of open (see vfs_dircache.c). Returns the fd or -errno when it answered, or
 * RW_SLOW for the slow walk. An upper object found in the cached parent is what the merged view
 * shows (the upper wins); a new name is made there after the one real attempt, under the
 * conditions of rw_vfs_fast_new_ok(). */
static int open_fast(const struct rw_engine *e, const char *abs, int flags, mode_t mode, int native_err)
{
        struct rw_dirref ref;
        int fd;

        /* O_PATH without O_NOFOLLOW would name the symlink itself; O_TMPFILE names a directory. */
        if ((flags & O_TMPFILE) == O_TMPFILE || ((flags & O_PATH) && !(flags & O_NOFOLLOW)))
                return RW_SLOW;
        if (!(flags & O_CREAT)) {
                if (native_err || !rw_dircache_get(e, abs, &ref))
                        return RW_SLOW;
                int absent = ref.lower_absent;
                fd = open_cached(e, &ref, flags, mode);
                /* Not in the upper, and the lower has no such directory: no such file. */
                return fd >= 0 || (fd == -ENOENT && absent) ? fd : RW_SLOW;
        }
        if (!native_err && rw_dircache_get(e, abs, &ref)) {
                if (ref.lower_absent && rw_engine_may_redirect(e, abs)) {
                        /* The real attempt could only say ENOENT: the upper, in one call. */
                        rw_engine_register(e, abs, abs);
                        fd = open_cached(e, &ref, flags, mode);
                        return fd == -ENOENT || fd == -ELOOP ? RW_SLOW : fd;
                }
                rw_dircache_put(e, &ref);
        }
        if (!rw_vfs_fast_new_ok(e, abs))
                return RW_SLOW;
        fd = native_err ? native_err : rw_openat(AT_FDCWD, abs, flags, mode);
        if (fd >= 0 || fd == -EEXIST)
                return fd;      /* the lower took it, or has it (never whited out) */
        /* With O_EXCL the kernel says EEXIST before any permission error: EACCES/EPERM/EROFS
         * then mean the lower has no such name. Without it the name may exist (copy-up). */
        if (fd != -ENOENT && !(rw_errno_redirectable(fd) && (flags & O_EXCL)))
                return RW_SLOW;
        if (!rw_dircache_get(e, abs, &ref))
                return RW_SLOW;
        rw_engine_register(e, abs, abs);
        fd = open_cached(e, &ref, flags, mode);
        return fd == -ENOENT || fd == -ELOOP ? RW_SLOW : fd;
}

/* The merged lookup, then the upper object, or the real call on the lower path and a redirect
 * when it is refused. */
static int open_slow(const struct rw_engine *e, const char *abs, int flags, mode_t mode)
{
        struct rw_where w RW_WHERE_AUTO = { .parent_fd = -1 };
        int excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
        int r = rw_layer_lookup(&e->upper, abs, !(flags & O_NOFOLLOW) && !excl, &w);

        if (r < 0)
                return r;
        switch (w.kind) {
        case RW_NOPARENT:
                return -w.parent_errno;
        case RW_GONE:
                if (!(flags & O_CREAT))
                        return -ENOENT;
                return open_in_upper(e, abs, &w, flags, mode);
        case RW_UPPER:
                if (excl)
                        return -EEXIST;
                if (S_ISLNK(w.st.st_mode) && !(flags & O_PATH))
                        return -ELOOP;   /* only reached with O_NOFOLLOW */
                return rw_openat(w.parent_fd, w.name, flags | O_NOFOLLOW, mode);
        case RW_LOWER:
                break;
        }
        r = rw_openat(AT_FDCWD, w.path, flags, mode);
        if (r >= 0 || !wants_write(flags) || !rw_vfs_should_redirect(e, &w, r))
                return r;
        return redirect_open(e, abs, &w, flags, mode, r);
}

int rw_vfs_open(const struct rw_engine *e, const char *abs, int flags, mode_t mode)
{
        int fd = open_fast(e, abs, flags, mode, 0);

        return fd != RW_SLOW ? fd : open_slow(e, abs, flags, mode);
}

int rw_vfs_open_denied(const struct rw_engine *e, const char *abs, int flags, mode_t mode, int native_err)
{
        int fd = open_fast(e, abs, flags, mode, native_err);

        return fd != RW_SLOW ? fd : open_slow(e, abs, flags, mode);
}

int rw_vfs_open_flags_for(const char *path, int flags)
{
        size_t n = strlen(path);

        if (n == 0 || path[n - 1] != '/')
                return flags;
        return (flags & O_CREAT) ? -EISDIR : flags | O_DIRECTORY;
}
