/* mknod and mkfifo (FIFOs and device nodes): new names, made in the upper when the directory
 * refuses them; and the new-name flow that bind shares (new_name.h). */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "core/vfs.h"
#include "preload/new_name.h"
#include "preload/state.h"

static int run_in_view(const struct preload_new_name *c, char *abs, int native_err, const void *caller)
{
        int r;

        if (preload_abs_path(c->dirfd, c->path, abs, PATH_MAX) < 0)
                return preload_ret(native_err ? -native_err : -EINVAL);
        r = c->vfs(abs, c);
        preload_event(c->op, AT_FDCWD, abs, NULL, -1, r < 0 ? -r : 0,
                      r == 0 ? RW_ACTION_REDIRECTED : rw_errno_redirectable(-r) ? RW_ACTION_DENIED
                      : RW_ACTION_FAILED, caller);
        return preload_ret(r);
}

int preload_new_name_call(const struct preload_new_name *c, const void *caller)
{
        char abs[PATH_MAX];
        int r, err;

        if (preload_off())
                return c->real(c);
        if (preload_upper_nonempty() && (preload_query(c->dirfd, c->path, abs, sizeof(abs)) & RW_INDEX_UNDER))
                return run_in_view(c, abs, 0, caller);
        r = c->real(c);
        if (likely(r == 0)) {
                preload_note_write(c->op, c->dirfd, c->path, NULL, -1, 0, caller);
                return 0;
        }
        err = errno;
        if (preload_engine.mode == RW_MODE_RUN && rw_errno_redirectable(err))
                return run_in_view(c, abs, err, caller);
        preload_note_write(c->op, c->dirfd, c->path, NULL, -1, -1, caller);
        errno = err;
        return -1;
}

struct node_args {
        mode_t mode;
        dev_t dev;
};

DECLARE_REAL(int, mknodat, int, const char *, mode_t, dev_t);
DECLARE_REAL(int, mkfifoat, int, const char *, mode_t);

static int native_mknod(const struct preload_new_name *c)
{
        const struct node_args *a = c->arg;

        /* glibc's mkfifo does not call the public mknodat: each entry point has its own real. */
        if (S_ISFIFO(a->mode) && a->dev == (dev_t)-1)
                return REAL(mkfifoat)(c->dirfd, c->path, a->mode & ~S_IFMT);
        return REAL(mknodat)(c->dirfd, c->path, a->mode, a->dev);
}

static int vfs_mknod(const char *abs, const struct preload_new_name *c)
{
        const struct node_args *a = c->arg;

        return rw_vfs_mknod(&preload_engine, abs, a->mode, a->dev == (dev_t)-1 ? 0 : a->dev);
}

/* dev (dev_t)-1 marks mkfifo. */
static int do_mknod(int dirfd, const char *path, mode_t mode, dev_t dev, const void *caller)
{
        struct node_args a = { mode, dev };
        struct preload_new_name c = { "mknod", dirfd, path, native_mknod, vfs_mknod, &a };

        return preload_new_name_call(&c, caller);
}

PRELOAD_API int mknod(const char *path, mode_t mode, dev_t dev) { return do_mknod(AT_FDCWD, path, mode, dev, CALLER); }
PRELOAD_API int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev) { return do_mknod(dirfd, path, mode, dev, CALLER); }
PRELOAD_API int mkfifo(const char *path, mode_t mode)
{ return do_mknod(AT_FDCWD, path, S_IFIFO | (mode & ~S_IFMT), (dev_t)-1, CALLER); }
PRELOAD_API int mkfifoat(int dirfd, const char *path, mode_t mode)
{ return do_mknod(dirfd, path, S_IFIFO | (mode & ~S_IFMT), (dev_t)-1, CALLER); }

#ifdef __GLIBC__
/* Binaries built against glibc < 2.33 call these; their dev argument is a pointer. */
int __xmknod(int ver, const char *path, mode_t mode, dev_t *dev);
int __xmknodat(int ver, int dirfd, const char *path, mode_t mode, dev_t *dev);
PRELOAD_API int __xmknod(int ver, const char *path, mode_t mode, dev_t *dev)
{ (void)ver; return do_mknod(AT_FDCWD, path, mode, *dev, CALLER); }
PRELOAD_API int __xmknodat(int ver, int dirfd, const char *path, mode_t mode, dev_t *dev)
{ (void)ver; return do_mknod(dirfd, path, mode, *dev, CALLER); }
#endif
