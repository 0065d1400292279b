/* mkdir, rmdir and unlink over the merged view; removals leave whiteouts (preload-safe). */
#include "core/vfs.h"

#include <string.h>

#include "core/dirlist.h"
#include "core/sys.h"
#include "core/vfs_common.h"

static int make_dir(int dirfd, const char *name, const void *arg)
{
        return rw_mkdirat(dirfd, name, *(const mode_t *)arg);
}

/* A directory re-created where a lower one was deleted must not show the old entries. */
static int hide_old_entries(const struct rw_engine *e, int parent, const char *name, const struct rw_where *w)
{
        if (w->kind == RW_GONE && rw_lower_exists(w->path, NULL))
                return rw_make_opaque(e, parent, name, w->path);
        return 0;
}

int rw_vfs_mkdir(const struct rw_engine *e, const char *abs, mode_t mode)
{
        return rw_vfs_mkdir_denied(e, abs, mode, 0);
}

int rw_vfs_mkdir_denied(const struct rw_engine *e, const char *abs, mode_t mode, int native_err)
{
        struct rw_new_name how = { make_dir, hide_old_entries, &mode };

        return rw_vfs_new_name_denied(e, abs, &how, native_err);
}

/* Leaves a whiteout for a lower object at path (resolved) that the merged view no longer has. */
static int whiteout_lower(const struct rw_engine *e, const char *abs, const char *path)
{
        const char *name;
        int parent, r;

        if (!rw_lower_exists(path, NULL))
                return 0;
        parent = rw_upper_parent(&e->upper, path, &name);
        if (parent < 0)
                return parent;
        rw_engine_register(e, abs, path);
        r = rw_whiteout_create(parent, name);
        rw_close(parent);
        return r;
}

/* Removes an upper directory that the merged view sees as empty: its whiteouts go with it. */
static int remove_upper_dir(struct rw_index *index, const struct rw_where *w)
{
        struct rw_dirent *d;
        int fd = rw_openat(w->parent_fd, w->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
        int r;

        if (fd < 0)
                return fd;
        /* Only whiteouts and the opaque marker remain (the merged view is empty). */
        for (;;) {
                char buf[4096] __attribute__((aligned(8)));
                ssize_t n = rw_getdents64(fd, buf, sizeof(buf));

                if (n <= 0)
                        break;
                for (ssize_t off = 0; off < n; off += d->d_reclen) {
                        d = (struct rw_dirent *)(void *)(buf + off);
                        if (strncmp(d->d_name, RW_WHITEOUT_PREFIX, 4) == 0)
                                rw_unlinkat(fd, d->d_name, 0);
                }
        }
        rw_close(fd);
        /* Processes caching an fd of this directory (vfs_dircache.c) must drop it: before, so
         * none starts using it after the removal, and after, so none caches it meanwhile. */
        rw_index_bump_generation(index);
        r = rw_unlinkat(w->parent_fd, w->name, AT_REMOVEDIR);
        rw_index_bump_generation(index);
        return r;
}

/* ENOTEMPTY unless the merged directory at w has no entries. */
static int must_be_empty(const struct rw_engine *e, const struct rw_where *w)
{
        int r = rw_merged_dir_empty(e, w);

        return r < 0 ? r : r ? 0 : -ENOTEMPTY;
}

/* unlink of a name the upper holds in a cached directory (vfs_dircache.c): the upper object
 * goes (it is what the merged view shows), then a whiteout if the lower has the name too. The
 * whiteout names themselves are never the program's to remove. 1 with *ret set, or 0 for the
 * slow walk (the upper has no such name, a directory...). */
static int unlink_fast(const struct rw_engine *e, const char *abs, int *ret)
{
        struct rw_dirref ref;

        if (!rw_dircache_get(e, abs, &ref))
                return 0;
        int r = strncmp(ref.leaf, RW_WHITEOUT_PREFIX, sizeof(RW_WHITEOUT_PREFIX) - 1) == 0 ? -EPERM
                : rw_unlinkat(ref.fd, ref.leaf, 0);
        if (r == -EBADF || r == -ENOTDIR) {
                rw_dircache_drop(&ref);
                return 0;
        }
        /* A concurrent rename of the directory does not matter: the unlink of an entry of the
         * same directory inode is the same done before it. */
        int absent = ref.lower_absent;
        rw_dircache_put(e, &ref);
        if (r < 0)
                return 0;
        *ret = absent ? 0 : whiteout_lower(e, abs, abs);
        return 1;
}

/* unlink (dir 0) and rmdir (dir 1): remove from the upper, and whiteout what the lower has. */
static int remove_name(const struct rw_engine *e, const char *abs, int dir)
{
        struct rw_where w RW_WHERE_AUTO = { .parent_fd = -1 };
        int wrong_type = dir ? -ENOTDIR : -EISDIR;
        struct stat st;
        int r;

        if (!dir && unlink_fast(e, abs, &r))
                return r;
        r = rw_layer_lookup(&e->upper, abs, 0, &w);

        if (r < 0)
                return r;
        switch (w.kind) {
        case RW_NOPARENT:
                return -w.parent_errno;
        case RW_GONE:
                return -ENOENT;
        case RW_UPPER:
                if (S_ISDIR(w.st.st_mode) != (dir != 0))
                        return wrong_type;
                if (dir && (r = must_be_empty(e, &w)) < 0)
                        return r;
                r = dir ? remove_upper_dir(e->upper.index, &w) : rw_unlinkat(w.parent_fd, w.name, 0);
                if (r < 0)
                        return r;
                /* The lower may be the caller's own (a rename into a root-owned dir made its
                 * parents in the upper): remove it for real, whiteout only what the kernel refuses. */
                r = rw_unlinkat(AT_FDCWD, w.path, dir ? AT_REMOVEDIR : 0);
                return r == 0 || r == -ENOENT ? 0 : whiteout_lower(e, abs, w.path);
        case RW_LOWER:
                break;
        }
        r = rw_unlinkat(AT_FDCWD, w.path, dir ? AT_REMOVEDIR : 0);
        if (r == 0 || !rw_vfs_should_redirect(e, &w, r))
                return r;
        if (!rw_lower_exists(w.path, &st))
                return -ENOENT;
        if (S_ISDIR(st.st_mode) != (dir != 0))
                return wrong_type;
        if (dir && (r = must_be_empty(e, &w)) < 0)
                return r;
        return whiteout_lower(e, abs, w.path);
}

int rw_vfs_unlink(const struct rw_engine *e, const char *abs)
{
        return remove_name(e, abs, 0);
}

int rw_vfs_rmdir(const struct rw_engine *e, const char *abs)
{
        return remove_name(e, abs, 1);
}
