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
/* abs is normalised, so it has lost a trailing '/' of the program's path, which names a
 * directory: returns the flags rw_vfs_open must use for path (O_DIRECTORY added), or -EISDIR
 * for O_CREAT, as the kernel answers before looking at permissions. */
int rw_vfs_open_flags_for(const char *path, int flags);
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

/* The upper directory fd cache (vfs_dircache.c). A reference to the cached O_PATH fd of the
 * upper directory UPPER/fs<parent of abs>, and the last component of abs. */
struct rw_dirref {
        int fd;
        int slot;
        unsigned gen;
        const char *leaf;       /* inside abs */
        int lower_absent;       /* the lower layer has no such parent: no lower name below it */
};
/* 1 and ref filled when the upper holds the parent of abs (absolute, normalised) as a real
 * directory reached through no symlink; 0 otherwise (take the slow walk). No lock, no syscall
 * when cached. Every 1 must be paired with rw_dircache_put() or rw_dircache_drop(). */
int rw_dircache_get(const struct rw_engine *e, const char *abs, struct rw_dirref *ref);
/* Ends the use; returns 1 if no upper directory changed meanwhile (the answer got through ref
 * stands), 0 if the caller must redo the call by the slow walk. */
int rw_dircache_put(const struct rw_engine *e, struct rw_dirref *ref);
/* Ends the use of an fd that failed with EBADF/ENOTDIR: it is no longer ours. */
void rw_dircache_drop(struct rw_dirref *ref);
/* For the close/dup2/close_range wrappers: is fd one of the cache's, and where do they lie? */
int rw_dircache_owns(int fd);
int rw_dircache_range(int *ret_first, int *ret_last);
/* The program replaces fd (dup2 onto it): forget it without closing. */
void rw_dircache_forget(int fd);
/* In a forked child (pthread_atfork). */
void rw_dircache_after_fork(void);

/* True when a new name abs can take the fast path: nothing was ever made or whited out at abs
 * itself and no ancestor may be opaque (memory-only index checks), and the engine may redirect
 * it. Then the upper holds no whiteout for it and a lower object there is visible. */
int rw_vfs_fast_new_ok(const struct rw_engine *e, const char *abs);

/* rw_vfs_open/rw_vfs_mkdir after the real call on abs already failed with native_err (a
 * redirectable errno) and the index said the upper could not hold abs: skip the second real
 * attempt when the fast path applies. */
int rw_vfs_open_denied(const struct rw_engine *e, const char *abs, int flags, mode_t mode, int native_err);
int rw_vfs_mkdir_denied(const struct rw_engine *e, const char *abs, mode_t mode, int native_err);

#endif
