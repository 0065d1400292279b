/* getdents64 over the merged listing, for a static program; see notify_dirents.h. */
#include "supervisor/notify_dirents.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/dirlist.h"

static long list_into(const struct rw_dirlist *l, struct sup_caller *c, int mine, uint64_t buf,
                      size_t count)
{
        off_t pos = lseek(mine, 0, SEEK_CUR);
        char out[32768];

        if (pos < 0)
                return SUP_DIRENTS_KERNEL;
        if (count > sizeof(out))
                count = sizeof(out);
        size_t off;
        long n = rw_dirlist_copy(l, (size_t)pos, out, count, &off);
        if (n <= 0)
                return n;   /* the end, or no room for one record */
        if (sup_caller_write(c, buf, out, (size_t)n) < 0)
                return -EFAULT;
        /* The caller's own offset carries the position: its next call, a dup of its fd or its
         * lseek(fd, 0, SEEK_SET) all see it. */
        if (lseek(mine, (off_t)off, SEEK_SET) < 0)
                return -errno;
        return n;
}

long sup_merged_getdents(const struct rw_engine *e, struct sup_caller *c, int fd, uint64_t buf,
                         size_t count, int (*verify)(void *ctx), void *ctx)
{
        char dir[PATH_MAX], small[16384] __attribute__((aligned(8)));   /* no mmap for a small dir */
        struct rw_dirlist l;
        long r;

        if (sup_caller_fd_path(c, &e->upper, fd, dir, sizeof(dir)) < 0 || verify(ctx) != 0)
                return SUP_DIRENTS_KERNEL;
        if (!(rw_index_query(e->upper.index, dir) & (RW_INDEX_UNDER | RW_INDEX_ANCESTOR)))
                return SUP_DIRENTS_KERNEL;
        int mine = sup_caller_dup_fd(c, fd);
        if (mine < 0)
                return SUP_DIRENTS_KERNEL;
        r = rw_dirlist_build_in(e, dir, &l, small, sizeof(small), NULL);
        if (r == 0) {
                r = list_into(&l, c, mine, buf, count);
                rw_dirlist_free(&l);
        } else {
                r = SUP_DIRENTS_KERNEL;
        }
        close(mine);
        return r;
}
