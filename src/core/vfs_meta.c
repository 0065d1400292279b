/* Metadata changes on the merged view (preload-safe): chmod, chown, utimens, truncate, each a
 * rw_vfs_meta() callback, shared by the preload and the supervisor's seccomp backend. */
#include <unistd.h>

#include "core/sys.h"
#include "core/vfs.h"

struct meta_change {
        mode_t mode;
        uid_t uid;
        gid_t gid;
        off_t length;
        const struct timespec *times;
};

static int at_flags(int follow) { return follow ? 0 : AT_SYMLINK_NOFOLLOW; }

static int apply_chmod(const char *real, int follow, const void *arg)
{
        const struct meta_change *c = arg;
        struct stat st;

        /* fchmodat(2) always follows. With AT_SYMLINK_NOFOLLOW the kernel (fchmodat2, Linux 6.6)
         * and glibc's emulation change a non-symlink and refuse a symlink with EOPNOTSUPP (Python
         * then raises NotImplementedError); never change what the link points to. */
        if (!follow) {
                int r = rw_fstatat(AT_FDCWD, real, &st, AT_SYMLINK_NOFOLLOW);
                if (r < 0)
                        return r;
                if (S_ISLNK(st.st_mode))
                        return -EOPNOTSUPP;
        }
        return rw_fchmodat(AT_FDCWD, real, c->mode);
}

static int apply_chown(const char *real, int follow, const void *arg)
{
        const struct meta_change *c = arg;

        return rw_fchownat(AT_FDCWD, real, c->uid, c->gid, at_flags(follow));
}

static int apply_utimens(const char *real, int follow, const void *arg)
{
        const struct meta_change *c = arg;

        return rw_utimensat(AT_FDCWD, real, c->times, at_flags(follow));
}

static int apply_truncate(const char *real, int follow, const void *arg)
{
        const struct meta_change *c = arg;
        int fd = rw_openat(AT_FDCWD, real, O_WRONLY, 0), r;

        (void)follow;
        if (fd < 0)
                return fd;
        r = rw_ftruncate(fd, c->length);
        rw_close(fd);
        return r;
}

int rw_vfs_chmod(const struct rw_engine *e, const char *abs, mode_t mode, int follow)
{
        struct meta_change c = { .mode = mode };

        return rw_vfs_meta(e, abs, follow, apply_chmod, &c);
}

/* True if the caller may not make this ownership change on a file of its own: a uid other than
 * its own, or a group it is not in (chown(2) without CAP_CHOWN). Root is left to the kernel. */
static int chown_gives_away(uid_t uid, gid_t gid)
{
        gid_t groups[256];
        int n;

        if (geteuid() == 0)
                return 0;
        if (uid != (uid_t)-1 && uid != geteuid())
                return 1;
        if (gid == (gid_t)-1 || gid == getegid())
                return 0;
        n = getgroups(sizeof(groups) / sizeof(groups[0]), groups);
        if (n < 0)
                return 0;     /* too many groups to tell: let the upper copy decide */
        for (int i = 0; i < n; i++)
                if (groups[i] == gid)
                        return 0;
        return 1;
}

int rw_vfs_chown(const struct rw_engine *e, const char *abs, uid_t uid, gid_t gid, int follow)
{
        struct meta_change c = { .uid = uid, .gid = gid };

        /* Giving a file away fails on an upper copy as on the lower one (EPERM): it must not
         * copy the file up on the way, so it gets the real call on the merged path only. */
        if (chown_gives_away(uid, gid)) {
                char real[PATH_MAX];
                int r = rw_vfs_real_path(e, abs, follow, real, sizeof(real));

                return r < 0 ? r : apply_chown(real, follow, &c);
        }
        return rw_vfs_meta(e, abs, follow, apply_chown, &c);
}

int rw_vfs_utimens(const struct rw_engine *e, const char *abs, const struct timespec times[2], int follow)
{
        struct meta_change c = { .times = times };

        return rw_vfs_meta(e, abs, follow, apply_utimens, &c);
}

int rw_vfs_truncate(const struct rw_engine *e, const char *abs, off_t length)
{
        struct meta_change c = { .length = length };

        return rw_vfs_meta(e, abs, 1, apply_truncate, &c);
}
