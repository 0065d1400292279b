/* Merged directory listings (preload-safe): upper entries, then lower entries that the upper
 * neither holds nor whites out, unless the upper dir is opaque. Whiteouts never show. */
#ifndef RW_DIRLIST_H
#define RW_DIRLIST_H

#include <stddef.h>
#include <stdint.h>

#include "core/engine.h"

/* Same layout as glibc's struct dirent64 on Linux, so readdir() can return these records. */
struct rw_dirent {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

struct rw_dirlist {
        char *buf;          /* mmap'd records, packed, each 8-byte aligned */
        size_t len, cap;
        size_t count;       /* records, "." and ".." included */
};

/* Builds the merged listing of the directory abs (absolute, normalised). The memory comes
 * from mmap, not malloc, so it is safe in any context the preload runs in.
 * Returns 0, or -errno (-ENOENT when gone, -ENOTDIR). */
int rw_dirlist_build(const struct rw_engine *e, const char *abs, struct rw_dirlist *out);

void rw_dirlist_free(struct rw_dirlist *l);

/* Record at byte offset off, or NULL at the end. */
static inline struct rw_dirent *rw_dirlist_at(const struct rw_dirlist *l, size_t off)
{
        return off < l->len ? (struct rw_dirent *)(void *)(l->buf + off) : NULL;
}

#endif
