/* Lookups and metadata changes over the merged view (preload-safe). */
#include "core/vfs.h"

#include <string.h>

#include "core/copy_up.h"
#include "core/path.h"
#include "core/sys.h"
#include "core/vfs_common.h"

int rw_vfs_real_path(const struct rw_engine *e, const char *abs, int follow, char *out, size_t size)
{
        struct rw_where w RW_WHERE_AUTO = { .parent_fd = -1 };
        int r = rw_layer_lookup(&e->upper, abs, follow, &w);

        return r < 0 ? r : rw_where_real_path(&e->upper, &w, out, size);
}

/* Looks abs up and writes the real path to use into real (PATH_MAX). 0 or -errno. */
static int lookup_real(const struct rw_engine *e, const char *abs, int follow, struct rw_where *w, char *real)
{
        int r = rw_layer_lookup(&e->upper, abs, follow, w);

        return r < 0 ? r : rw_where_real_path(&e->upper, w, real, PATH_MAX);
}

int rw_vfs_access(const struct rw_engine *e, const char *abs, int mode, int flags)
{
        struct rw_where w RW_WHERE_AUTO = { .parent_fd = -1 };
        char real[PATH_MAX];
        int r = lookup_real(e, abs, !(flags & AT_SYMLINK_NOFOLLOW), &w, real);

        if (r < 0)
                return r;
        r = rw_faccessat(AT_FDCWD, real, mode, flags);
        /* A write the engine would redirect will succeed: say so, as long as the rest of the
         * requested access holds natively (reads are never granted). */
        if (r < 0 && (mode & W_OK) && w.kind == RW_LOWER && rw_vfs_should_redirect(e, &w, r) &&
            rw_faccessat(AT_FDCWD, real, mode & ~W_OK, flags) == 0)
                return 0;
        return r;
}

int rw_vfs_meta(const struct rw_engine *e, const char *abs, int follow, rw_meta_fn fn, const void *arg)
{
        struct rw_where w RW_WHERE_AUTO = { .parent_fd = -1 };
        char real[PATH_MAX];
        int r = lookup_real(e, abs, follow, &w, real);

        if (r < 0)
                return r;
        r = fn(real, follow, arg);
        if (r == 0 || w.kind != RW_LOWER || !rw_vfs_should_redirect(e, &w, r))
                return r;
        rw_engine_register(e, abs, w.path);
        int c = rw_copy_up(&e->upper, w.path, 1);
        if (c < 0)
                return c == -EACCES || c == -EPERM ? r : c;
        w.kind = RW_UPPER;
        if (rw_where_real_path(&e->upper, &w, real, sizeof(real)) < 0)
                return r;
        return fn(real, 0, arg);
}

int rw_vfs_realpath(const struct rw_engine *e, const char *abs, char *out, size_t size)
{
        struct rw_where w RW_WHERE_AUTO = { .parent_fd = -1 };
        char real[PATH_MAX];
        struct stat st;
        size_t n;
        int r = rw_layer_lookup(&e->upper, abs, 1, &w);

        if (r < 0)
                return r;
        r = rw_where_real_path(&e->upper, &w, real, sizeof(real));
        if (r < 0)
                return r;
        r = rw_fstatat(AT_FDCWD, real, &st, 0);
        if (r < 0)
                return r;
        if (w.kind == RW_LOWER) {
                /* Lower symlinks below the upper are resolved by the kernel. */
                int fd = rw_openat(AT_FDCWD, real, O_PATH, 0);
                char proc[64] = "/proc/self/fd/";
                char *p = proc + strlen(proc);
                char tmp[16];
                int k = 0, v = fd;

                if (fd < 0)
                        return fd;
                do { tmp[k++] = (char)('0' + v % 10); v /= 10; } while (v);
                while (k)
                        *p++ = tmp[--k];
                *p = '\0';
                ssize_t len = rw_readlinkat(AT_FDCWD, proc, real, sizeof(real) - 1);
                rw_close(fd);
                if (len < 0)
                        return (int)len;
                real[len] = '\0';
                n = (size_t)len;
                if (n + 1 > size)
                        return -ENAMETOOLONG;
                memcpy(out, real, n + 1);
                return 0;
        }
        n = strlen(w.path);
        if (n + 1 > size)
                return -ENAMETOOLONG;
        memcpy(out, w.path, n + 1);
        return 0;
}
