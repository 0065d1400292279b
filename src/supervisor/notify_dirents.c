/* getdents64 over the merged listing, for a static program; see notify_dirents.h. */
#include "supervisor/notify_dirents.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/dirlist.h"

/* The byte offset in l of the first record at or after pos (records are 8-byte aligned and
 * their d_off is the offset of the next one, so a position from an older listing of the same
 * directory lands on a record boundary or past the end, never inside a record). */
static size_t first_at(const struct rw_dirlist *l, size_t pos)
{
        size_t off = 0;
        const struct rw_dirent *d;

        while ((d = rw_dirlist_at(l, off)) && off < pos)
                off += d->d_reclen;
        return off;
}

/* Copies whole records from off into out (at most count bytes); returns the bytes copied and
 * moves *off past them. */
static size_t fill(const struct rw_dirlist *l, size_t *off, char *out, size_t count)
{
        size_t n = 0;
        const struct rw_dirent *d;

        while ((d = rw_dirlist_at(l, *off)) && n + d->d_reclen <= count) {
                memcpy(out + n, d, d->d_reclen);
                n += d->d_reclen;
                *off += d->d_reclen;
        }
        return n;
}

static long list_into(const struct rw_dirlist *l, struct sup_caller *c, int mine, uint64_t buf,
                      size_t count)
{
        off_t pos = lseek(mine, 0, SEEK_CUR);
        char out[32768];

        if (pos < 0)
                return SUP_DIRENTS_KERNEL;
        if (count > sizeof(out))
                count = sizeof(out);
        size_t off = first_at(l, (size_t)pos);
        size_t n = fill(l, &off, out, count);
        if (n == 0)
                return rw_dirlist_at(l, off) ? -EINVAL : 0;   /* no room for one record, or the end */
        if (sup_caller_write(c, buf, out, n) < 0)
                return -EFAULT;
        /* The caller's own offset carries the position: its next call, a dup of its fd or its
         * lseek(fd, 0, SEEK_SET) all see it. */
        if (lseek(mine, (off_t)off, SEEK_SET) < 0)
                return -errno;
        return (long)n;
}

long sup_merged_getdents(const struct rw_engine *e, struct sup_caller *c, int fd, uint64_t buf,
                         size_t count, int (*verify)(void *ctx), void *ctx)
{
        char dir[PATH_MAX];
        struct rw_dirlist l;
        long r;

        if (sup_caller_fd_path(c, &e->upper, fd, dir, sizeof(dir)) < 0 || verify(ctx) != 0)
                return SUP_DIRENTS_KERNEL;
        if (!(rw_index_query(e->upper.index, dir) & (RW_INDEX_UNDER | RW_INDEX_ANCESTOR)))
                return SUP_DIRENTS_KERNEL;
        int mine = sup_caller_dup_fd(c, fd);
        if (mine < 0)
                return SUP_DIRENTS_KERNEL;
        r = rw_dirlist_build(e, dir, &l);
        if (r == 0) {
                r = list_into(&l, c, mine, buf, count);
                rw_dirlist_free(&l);
        } else {
                r = SUP_DIRENTS_KERNEL;
        }
        close(mine);
        return r;
}
