/* Helpers shared by the vfs_*.c operations (preload-safe). Not a public interface. */
#ifndef RW_VFS_COMMON_H
#define RW_VFS_COMMON_H

#include "core/layer.h"
#include "core/engine.h"

#define RW_WHERE_AUTO __attribute__((cleanup(rw_where_release)))

/* Creates the whiteout ".wh.<name>" in the upper dir parent_fd. */
int rw_whiteout_create(int parent_fd, const char *name);
/* Removes ".wh.<name>" if present. */
void rw_whiteout_remove(int parent_fd, const char *name);
/* True if the lower layer has something at path (lstat). */
int rw_lower_exists(const char *path, struct stat *st);
/* Opens (creating as needed) the upper parent directory of the resolved path. */
int rw_upper_parent(const struct rw_upper *u, const char *path, const char **ret_name);
/* Marks the upper dir at (parent_fd, name), virtual path abs, as hiding its lower entries. */
int rw_make_opaque(const struct rw_engine *e, int parent_fd, const char *name, const char *abs);
/* True if the merged directory at w (RW_UPPER or RW_LOWER) has no entries; -errno on error. */
int rw_merged_dir_empty(const struct rw_engine *e, const struct rw_where *w);
/* Should a failed real call (result r) on a RW_LOWER where be redone in the upper? */
int rw_vfs_should_redirect(const struct rw_engine *e, const struct rw_where *w, int r);

/* Making a new name (mkdir, symlink): `make` creates it at (dirfd, name) and returns 0 or
 * -errno; it runs on the real filesystem first (dirfd AT_FDCWD, name the full path), and in
 * the upper parent when that is refused. `after` (may be NULL) finishes the upper object.
 * EEXIST when the merged view already has the name. */
struct rw_new_name {
        int (*make)(int dirfd, const char *name, const void *arg);
        int (*after)(const struct rw_engine *e, int parent_fd, const char *name, const struct rw_where *w);
        const void *arg;
};
int rw_vfs_new_name(const struct rw_engine *e, const char *abs, const struct rw_new_name *how);
/* The same when the real call on abs already failed with native_err (0: not tried yet). */
int rw_vfs_new_name_denied(const struct rw_engine *e, const char *abs, const struct rw_new_name *how,
                           int native_err);

#endif
