/* Operations on the merged view (preload-safe). Each takes an absolute, lexically normalised
 * path, tries the real filesystem first unless the upper already holds the path, and when the
 * real call fails for lack of permission (EACCES, EPERM, EROFS) and the engine may redirect,
 * performs it in the upper instead. Each returns its result (>= 0) or -errno, exactly as the
 * real call would have, so the preload only converts -errno to errno. */
#ifndef RW_VFS_H
#define RW_VFS_H

#include <sys/stat.h>
#include <sys/types.h>

#include "core/engine.h"

int rw_vfs_open(const struct rw_engine *e, const char *abs, int flags, mode_t mode);
int rw_vfs_mkdir(const struct rw_engine *e, const char *abs, mode_t mode);
int rw_vfs_unlink(const struct rw_engine *e, const char *abs);
int rw_vfs_rmdir(const struct rw_engine *e, const char *abs);
int rw_vfs_rename(const struct rw_engine *e, const char *from, const char *to, unsigned flags);
/* flags: AT_SYMLINK_FOLLOW, as linkat(2); with it, from may be /proc/self/fd/N of an
 * O_TMPFILE file, which is then given its name in the upper. */
int rw_vfs_link(const struct rw_engine *e, const char *from, const char *to, int flags);
int rw_vfs_symlink(const struct rw_engine *e, const char *target, const char *abs);
/* mknod(2)/mkfifo(3) of abs: a new name, like mkdir (vfs_node.c). Sockets: core/vfs_socket.h. */
int rw_vfs_mknod(const struct rw_engine *e, const char *abs, mode_t mode, dev_t dev);

/* A metadata change applied to a real path: chmod, chown, utimens, truncate, setxattr... */
typedef int (*rw_meta_fn)(const char *real_path, int follow, const void *arg);
int rw_vfs_meta(const struct rw_engine *e, const char *abs, int follow, rw_meta_fn fn, const void *arg);

/* The common metadata changes, through rw_vfs_meta(); follow as !AT_SYMLINK_NOFOLLOW. */
int rw_vfs_chmod(const struct rw_engine *e, const char *abs, mode_t mode, int follow);
int rw_vfs_chown(const struct rw_engine *e, const char *abs, uid_t uid, gid_t gid, int follow);
int rw_vfs_utimens(const struct rw_engine *e, const char *abs, const struct timespec times[2], int follow);
int rw_vfs_truncate(const struct rw_engine *e, const char *abs, off_t length);

/* Writes into out the real path a lookup of abs must use (the lower path, or the upper copy).
 * -ENOENT if the merged view deleted it. */
int rw_vfs_real_path(const struct rw_engine *e, const char *abs, int follow, char *out, size_t size);

/* access()/faccessat(): W_OK is granted on a path the engine would redirect. */
int rw_vfs_access(const struct rw_engine *e, const char *abs, int mode, int flags);

/* Resolves every symlink of abs in the merged view (realpath); the result must exist. */
int rw_vfs_realpath(const struct rw_engine *e, const char *abs, char *out, size_t size);

#endif
