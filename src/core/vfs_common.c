/* Helpers shared by the merged-view operations (preload-safe). */
#include "core/vfs_common.h"

#include <string.h>

#include "core/dirlist.h"
#include "core/path.h"
#include "core/sys.h"
#include "core/vfs.h"

static int whiteout_name(const char *name, char *out, size_t size)
{
        size_t n = strlen(name), p = sizeof(RW_WHITEOUT_PREFIX) - 1;

        if (p + n + 1 > size)
                return -ENAMETOOLONG;
        memcpy(out, RW_WHITEOUT_PREFIX, p);
        memcpy(out + p, name, n + 1);
        return 0;
}

int rw_whiteout_create(int parent_fd, const char *name)
{
        char wh[NAME_MAX + 8];
        int r = whiteout_name(name, wh, sizeof(wh));
        int fd;

        if (r < 0)
                return r;
        fd = rw_openat(parent_fd, wh, O_WRONLY | O_CREAT | O_NOFOLLOW, 0600);
        if (fd < 0)
                return fd;
        rw_close(fd);
        return 0;
}

void rw_whiteout_remove(int parent_fd, const char *name)
{
        char wh[NAME_MAX + 8];

        if (whiteout_name(name, wh, sizeof(wh)) == 0)
                rw_unlinkat(parent_fd, wh, 0);
}

int rw_lower_exists(const char *path, struct stat *st)
{
        struct stat tmp;

        return rw_fstatat(AT_FDCWD, path, st ? st : &tmp, AT_SYMLINK_NOFOLLOW) == 0;
}

int rw_upper_parent(const struct rw_upper *u, const char *path, const char **ret_name)
{
        char parent[PATH_MAX];
        int r = rw_path_split(path, parent, sizeof(parent), ret_name);

        return r < 0 ? r : rw_upper_mkdirs(u, parent);
}

int rw_make_opaque(const struct rw_engine *e, int parent_fd, const char *name, const char *abs)
{
        int dir = rw_openat(parent_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
        int fd;

        if (dir < 0)
                return dir;
        /* Index first: a reader that sees the marker file must also find it in the index. */
        if (e->upper.index)
                rw_index_add_opaque(e->upper.index, abs);
        /* Names below it now hide the lower: fast paths that judged them by the index before
         * (vfs_dircache.c users) must look again. */
        rw_index_bump_generation(e->upper.index);
        fd = rw_openat(dir, RW_OPAQUE_NAME, O_WRONLY | O_CREAT | O_NOFOLLOW, 0600);
        rw_close(dir);
        rw_index_bump_generation(e->upper.index);
        if (fd < 0)
                return fd;
        rw_close(fd);
        return 0;
}

int rw_merged_dir_empty(const struct rw_engine *e, const struct rw_where *w)
{
        char buf[4096] __attribute__((aligned(8)));   /* no mmap for a small dir */
        struct rw_dirlist l;
        int r = rw_dirlist_build_in(e, w->path, &l, buf, sizeof(buf), NULL);

        if (r < 0)
                return r;
        r = l.count <= 2;   /* "." and ".." only */
        rw_dirlist_free(&l);
        return r;
}

int rw_vfs_should_redirect(const struct rw_engine *e, const struct rw_where *w, int r)
{
        if (e->mode != RW_MODE_RUN)
                return 0;
        if (rw_errno_redirectable(r))
                return rw_engine_may_redirect(e, w->path);
        /* The parent exists only in the upper: creations there belong to the upper. */
        return r == -ENOENT && w->parent_fd >= 0 && rw_engine_may_redirect(e, w->path);
}

int rw_vfs_fast_new_ok(const struct rw_engine *e, const char *abs)
{
        const struct rw_index *idx = e->upper.index;
        size_t slash = strlen(abs);

        if (!idx || rw_index_saturated(idx) || rw_index_maybe_entry(idx, abs))
                return 0;
        while (slash > 0 && abs[slash] != '/')
                slash--;
        if (slash == 0 || rw_index_maybe_opaque(idx, "/", 1))
                return 0;
        for (size_t i = 1; i <= slash; i++)     /* "/a", "/a/b", ... the parent itself */
                if ((abs[i] == '/' || i == slash) && rw_index_maybe_opaque(idx, abs, i))
                        return 0;
        return rw_engine_may_redirect(e, abs);
}

/* A new name whose parent the upper holds (cached fd) and that rw_vfs_fast_new_ok() allows:
 * the one real attempt, then the upper. mkdir, symlink and mknod report EEXIST before any
 * permission error, so EACCES/EPERM/EROFS say the lower has no such name, and ENOENT that it
 * lacks an ancestor. Returns 1 with *ret set, or 0 for the slow walk. */
static int new_name_fast(const struct rw_engine *e, const char *abs, const struct rw_new_name *how,
                         int native_err, int *ret)
{
        struct rw_dirref ref;
        int r;

        if (!native_err && rw_dircache_get(e, abs, &ref)) {
                if (ref.lower_absent && rw_engine_may_redirect(e, abs))
                        goto in_upper;   /* the real attempt could only say ENOENT */
                rw_dircache_put(e, &ref);
        }
        if (!rw_vfs_fast_new_ok(e, abs))
                return 0;
        r = native_err ? native_err : how->make(AT_FDCWD, abs, how->arg);
        if (r == 0 || r == -EEXIST) {
                *ret = r;   /* the lower took it, or has it (never whited out: see above) */
                return 1;
        }
        if (r != -ENOENT && !rw_errno_redirectable(r))
                return 0;
        if (!rw_dircache_get(e, abs, &ref))
                return 0;
in_upper:
        rw_engine_register(e, abs, abs);
        r = how->make(ref.fd, ref.leaf, how->arg);
        if (r == -EBADF || r == -ENOTDIR) {
                rw_dircache_drop(&ref);
                return 0;
        }
        rw_dircache_put(e, &ref);
        *ret = r;
        return 1;
}

int rw_vfs_new_name(const struct rw_engine *e, const char *abs, const struct rw_new_name *how)
{
        return rw_vfs_new_name_denied(e, abs, how, 0);
}

int rw_vfs_new_name_denied(const struct rw_engine *e, const char *abs, const struct rw_new_name *how,
                           int native_err)
{
        struct rw_where w RW_WHERE_AUTO = { .parent_fd = -1 };
        const char *name;
        int r, parent;

        if (new_name_fast(e, abs, how, native_err, &r))
                return r;
        r = rw_layer_lookup(&e->upper, abs, 0, &w);

        if (r < 0)
                return r;
        if (w.kind == RW_NOPARENT)
                return -w.parent_errno;
        if (w.kind == RW_UPPER)
                return -EEXIST;
        if (w.kind == RW_LOWER) {
                r = how->make(AT_FDCWD, w.path, how->arg);
                if (r == 0 || !rw_vfs_should_redirect(e, &w, r))
                        return r;
                if (rw_lower_exists(w.path, NULL))
                        return -EEXIST;
        }
        parent = rw_upper_parent(&e->upper, w.path, &name);
        if (parent < 0)
                return parent;
        rw_engine_register(e, abs, w.path);
        r = how->make(parent, name, how->arg);
        if (r == 0 && how->after)
                r = how->after(e, parent, name, &w);
        if (r == 0)
                rw_whiteout_remove(parent, name);
        rw_close(parent);
        return r;
}
