/* The two layers and the merged lookup (preload-safe).
 *
 * The lower layer is the real filesystem; the upper is UPPER/fs/<absolute path>. Walking the
 * upper never follows a symlink (O_PATH|O_NOFOLLOW one component at a time), so no path a
 * program gives can make the engine touch anything outside UPPER; symlinks found in either
 * layer are resolved here, in the merged view, as the program would expect. */
#ifndef RW_LAYER_H
#define RW_LAYER_H

#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>

#include "core/index.h"

#define RW_WHITEOUT_PREFIX ".wh."
#define RW_OPAQUE_NAME     ".wh..wh..opq"

/* What one process knows of its upper; filled once by the preload constructor (or the CLI). */
struct rw_upper {
        char root[PATH_MAX];        /* UPPER */
        char fs[PATH_MAX];          /* UPPER/fs */
        size_t fs_len;
        char tmp[PATH_MAX];         /* UPPER/.rwshim/tmp, for atomic copy-up */
        struct rw_index *index;     /* shared mapping of UPPER/.rwshim/index, or NULL */
};

enum rw_where_kind {
        RW_LOWER,       /* not in the upper: the real path is the lower one */
        RW_UPPER,       /* the upper holds it */
        RW_GONE,        /* the last component was removed (whiteout or opaque parent) */
        RW_NOPARENT,    /* an ancestor is missing, removed, or not a directory */
};

struct rw_where {
        enum rw_where_kind kind;
        int parent_fd;              /* O_PATH fd of the upper parent dir, or -1 */
        int parent_errno;           /* RW_NOPARENT: ENOENT or ENOTDIR */
        const char *name;           /* last component, inside path */
        char path[PATH_MAX];        /* resolved virtual absolute path */
        struct stat st;             /* RW_UPPER: lstat of the upper object */
};

/* Resolves abs (absolute, normalised) in the merged view, following symlinks in every
 * component but the last, and the last too when follow_last. Fills w; the caller closes
 * w->parent_fd with rw_where_release(). Returns 0 or -errno (ELOOP, ENAMETOOLONG, EIO). */
int rw_layer_lookup(const struct rw_upper *u, const char *abs, int follow_last, struct rw_where *w);

void rw_where_release(struct rw_where *w);

/* Writes the real path of w (lower path, or UPPER/fs/path) into out. 0 or -errno
 * (-ENOENT for RW_GONE, parent_errno for RW_NOPARENT). */
int rw_where_real_path(const struct rw_upper *u, const struct rw_where *w, char *out, size_t size);

/* Makes sure the upper holds directory dir (absolute, resolved), creating missing components
 * with the lower directory's mode plus owner rwx. Returns an O_PATH fd of it or -errno
 * (-ENOENT if a component exists in neither layer). */
int rw_upper_mkdirs(const struct rw_upper *u, const char *dir);

/* If real (a path the kernel reports) lies inside UPPER/fs, writes the virtual path to out and
 * returns 1; returns 0 when it does not (out untouched), -ENAMETOOLONG if it does not fit. */
int rw_upper_to_virtual(const struct rw_upper *u, const char *real, char *out, size_t size);

/* Opens UPPER/fs as an O_PATH directory fd. */
int rw_upper_open_fs(const struct rw_upper *u);

#endif
