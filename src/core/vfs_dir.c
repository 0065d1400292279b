/* mkdir, rmdir and unlink over the merged view; removals leave whiteouts (preload-safe). */
#include "core/vfs.h"

#include <string.h>

#include "core/dirlist.h"
#include "core/sys.h"
#include "core/vfs_common.h"

int rw_vfs_mkdir(const struct rw_engine *e, const char *abs, mode_t mode)
{
        struct rw_where w RW_WHERE_AUTO = { .parent_fd = -1 };
        const char *name;
        int r = rw_layer_lookup(&e->upper, abs, 0, &w), parent;

        if (r < 0)
                return r;
        if (w.kind == RW_NOPARENT)
                return -w.parent_errno;
        if (w.kind == RW_UPPER)
                return -EEXIST;
        if (w.kind == RW_LOWER) {
                r = rw_mkdirat(AT_FDCWD, w.path, mode);
                if (r == 0 || !rw_vfs_should_redirect(e, &w, r))
                        return r;
                if (rw_lower_exists(w.path, NULL))
                        return -EEXIST;
        }
        parent = rw_upper_parent(&e->upper, w.path, &name);
        if (parent < 0)
                return parent;
        rw_engine_register(e, abs, w.path);
        r = rw_mkdirat(parent, name, mode);
        /* A directory re-created where a lower one was deleted must not show the old entries. */
        if (r == 0 && w.kind == RW_GONE && rw_lower_exists(w.path, NULL))
                r = rw_make_opaque(e, parent, name, w.path);
        if (r == 0)
                rw_whiteout_remove(parent, name);
        rw_close(parent);
        return r;
}

/* Leaves a whiteout for a lower object that the merged view no longer has. */
static int whiteout_lower(const struct rw_engine *e, const char *abs, const struct rw_where *w)
{
        const char *name;
        int parent, r;

        if (!rw_lower_exists(w->path, NULL))
                return 0;
        parent = rw_upper_parent(&e->upper, w->path, &name);
        if (parent < 0)
                return parent;
        rw_engine_register(e, abs, w->path);
        r = rw_whiteout_create(parent, name);
        rw_close(parent);
        return r;
}

int rw_vfs_unlink(const struct rw_engine *e, const char *abs)
{
        struct rw_where w RW_WHERE_AUTO = { .parent_fd = -1 };
        struct stat st;
        int r = rw_layer_lookup(&e->upper, abs, 0, &w);

        if (r < 0)
                return r;
        switch (w.kind) {
        case RW_NOPARENT:
                return -w.parent_errno;
        case RW_GONE:
                return -ENOENT;
        case RW_UPPER:
                if (S_ISDIR(w.st.st_mode))
                        return -EISDIR;
                r = rw_unlinkat(w.parent_fd, w.name, 0);
                return r < 0 ? r : whiteout_lower(e, abs, &w);
        case RW_LOWER:
                break;
        }
        r = rw_unlinkat(AT_FDCWD, w.path, 0);
        if (r == 0 || !rw_vfs_should_redirect(e, &w, r))
                return r;
        if (!rw_lower_exists(w.path, &st))
                return -ENOENT;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        return whiteout_lower(e, abs, &w);
}

/* Removes an upper directory that the merged view sees as empty: its whiteouts go with it. */
static int remove_upper_dir(const struct rw_where *w)
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
        r = rw_unlinkat(w->parent_fd, w->name, AT_REMOVEDIR);
        return r;
}

int rw_vfs_rmdir(const struct rw_engine *e, const char *abs)
{
        struct rw_where w RW_WHERE_AUTO = { .parent_fd = -1 };
        struct stat st;
        int r = rw_layer_lookup(&e->upper, abs, 0, &w);

        if (r < 0)
                return r;
        switch (w.kind) {
        case RW_NOPARENT:
                return -w.parent_errno;
        case RW_GONE:
                return -ENOENT;
        case RW_UPPER:
                if (!S_ISDIR(w.st.st_mode))
                        return -ENOTDIR;
                r = rw_merged_dir_empty(e, &w);
                if (r <= 0)
                        return r < 0 ? r : -ENOTEMPTY;
                r = remove_upper_dir(&w);
                return r < 0 ? r : whiteout_lower(e, abs, &w);
        case RW_LOWER:
                break;
        }
        r = rw_unlinkat(AT_FDCWD, w.path, AT_REMOVEDIR);
        if (r == 0 || !rw_vfs_should_redirect(e, &w, r))
                return r;
        if (!rw_lower_exists(w.path, &st))
                return -ENOENT;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        r = rw_merged_dir_empty(e, &w);
        if (r <= 0)
                return r < 0 ? r : -ENOTEMPTY;
        return whiteout_lower(e, abs, &w);
}
