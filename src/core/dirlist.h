/* Merged directory listings (preload-safe): upper entries, then lower entries that the upper
 * neither holds nor whites out, unless the upper dir (or an ancestor) is opaque. Whiteouts
 * never show. */
#ifndef RW_DIRLIST_H
#define RW_DIRLIST_H

#include <stddef.h>
#include <stdint.h>

#include "core/engine.h"

/* Same layout as the kernel's linux_dirent64 and glibc's/musl's struct dirent64 on Linux, so
 * getdents64 writes these records and readdir() can return them. */
struct rw_dirent {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

struct rw_dirlist {
        char *buf;          /* records, packed, each 8-byte aligned */
        size_t len, cap;
        size_t count;       /* records, "." and ".." included */
        int mapped;         /* buf came from mmap (the caller's buffer was too small) */
};

/* Builds the merged listing of the directory abs (absolute, normalised): one getdents64 pass
 * per layer, straight into buf (the caller's memory, e.g. on its stack or in a static slot;
 * may be NULL) and into mmap'd memory only when it does not fit, so it is safe in any context
 * the preload runs in.
 * With ret_fd non-NULL, *ret_fd receives the fd for the program's DIR: the directory stat()
 * shows (the lower one, unless the index has the dir or an ancestor as an entry), at its end.
 * On entry *ret_fd is -1, or the caller's own fd of the lower directory (at offset 0), which
 * is then read instead of opening another and never closed: *ret_fd comes back equal to it
 * when that is the DIR's fd. When the directory turns out to need no merge (the upper holds
 * neither it nor anything hiding it), 1 is returned, *ret_fd is the lower fd at offset 0 and
 * nothing is listed.
 * Returns 0 (or 1), or -errno (-ENOENT when gone, -ENOTDIR). */
int rw_dirlist_build_in(const struct rw_engine *e, const char *abs, struct rw_dirlist *out,
                        void *buf, size_t size, int *ret_fd);

/* The same, always listing, with no caller buffer. */
int rw_dirlist_build(const struct rw_engine *e, const char *abs, struct rw_dirlist *out);

void rw_dirlist_free(struct rw_dirlist *l);

/* getdents64 over a listing: copies whole records, from the first at or after byte position
 * pos, into out (at most size bytes); *ret_next is the position after the last one copied.
 * Records are 8-byte aligned and each d_off is the next one's position, so a position from an
 * older listing of the same directory lands on a boundary or past the end, never inside a
 * record. Returns the bytes copied, 0 at the end, or -EINVAL when out cannot hold the next. */
long rw_dirlist_copy(const struct rw_dirlist *l, size_t pos, void *out, size_t size, size_t *ret_next);

/* Record at byte offset off, or NULL at the end. */
static inline struct rw_dirent *rw_dirlist_at(const struct rw_dirlist *l, size_t off)
{
        return off < l->len ? (struct rw_dirent *)(void *)(l->buf + off) : NULL;
}

#endif
