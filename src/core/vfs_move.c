/* rename, link and symlink over the merged view (preload-safe).
 * A lower directory is never moved: rename returns EXDEV, which mv and shutil.move answer by
 * copying, rather than pretending success while its entries stay behind in the lower layer. */
#include "core/vfs.h"

#include <string.h>

#include "core/copy_up.h"
#include "core/sys.h"
#include "core/vfs_common.h"

/* Does the merged view hold something at w? Fills st. */
static int merged_stat(const struct rw_where *w, struct stat *st)
{
        if (w->kind == RW_UPPER) {
                *st = w->st;
                return 1;
        }
        return w->kind == RW_LOWER && rw_lower_exists(w->path, st);
}

static int redirect_wanted(const struct rw_engine *e, const struct rw_where *a,
                           const struct rw_where *b, int r)
{
        return rw_vfs_should_redirect(e, a, r) || rw_vfs_should_redirect(e, b, r);
}

/* Checks that src may replace dst (rename(2) rules); dst_exists tells if it is there. */
static int check_replace(const struct rw_engine *e, const struct stat *src, const struct rw_where *dst,
                         unsigned flags)
{
        struct stat st;

        if (!merged_stat(dst, &st))
                return 0;
        if (flags & RENAME_NOREPLACE)
                return -EEXIST;
        if (S_ISDIR(st.st_mode)) {
                if (!S_ISDIR(src->st_mode))
                        return -EISDIR;
                int empty = rw_merged_dir_empty(e, dst);
                return empty < 0 ? empty : empty ? 1 : -ENOTEMPTY;
        }
        return S_ISDIR(src->st_mode) ? -ENOTDIR : 0;
}

/* Removes what the merged view had at path (the resolved source) after it moved away. */
static int forget_source(const struct rw_engine *e, const char *abs, const char *path)
{
        const char *name;
        int r, parent;

        if (!rw_lower_exists(path, NULL))
                return 0;
        r = rw_unlinkat(AT_FDCWD, path, 0);
        if (r == 0)
                return 0;
        parent = rw_upper_parent(&e->upper, path, &name);
        if (parent < 0)
                return parent;
        rw_engine_register(e, abs, path);
        r = rw_whiteout_create(parent, name);
        rw_close(parent);
        return r;
}

/* Empties the way for a directory replacing the (merged-empty) directory dst. */
static int clear_dir_target(const struct rw_engine *e, const struct rw_where *dst, int dst_parent,
                            const char *dst_name)
{
        if (dst->kind == RW_UPPER) {
                int fd = rw_openat(dst_parent, dst_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
                char buf[4096] __attribute__((aligned(8)));
                ssize_t n;

                if (fd < 0)
                        return fd;
                while ((n = rw_getdents64(fd, buf, sizeof(buf))) > 0)
                        for (ssize_t off = 0; off < n;) {
                                unsigned short reclen = *(unsigned short *)(void *)(buf + off + 16);
                                rw_unlinkat(fd, buf + off + 19, 0);   /* only whiteouts remain */
                                off += reclen;
                        }
                rw_close(fd);
                rw_index_bump_generation(e->upper.index);   /* cached fds of dst: see vfs_dircache.c */
                int r = rw_unlinkat(dst_parent, dst_name, AT_REMOVEDIR);
                rw_index_bump_generation(e->upper.index);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int move_in_upper(const struct rw_engine *e, const char *from, const char *to,
                         const struct rw_where *src, const struct rw_where *dst,
                         const struct stat *st, int replacing_dir)
{
        const char *src_name, *dst_name;
        int sp, dp, r;

        if (src->kind == RW_LOWER) {
                rw_engine_register(e, from, src->path);
                r = rw_copy_up(&e->upper, src->path, 1);
                if (r < 0)
                        return r;
        }
        sp = rw_upper_parent(&e->upper, src->path, &src_name);
        if (sp < 0)
                return sp;
        dp = rw_upper_parent(&e->upper, dst->path, &dst_name);
        if (dp < 0) {
                rw_close(sp);
                return dp;
        }
        rw_engine_register(e, to, dst->path);
        r = replacing_dir ? clear_dir_target(e, dst, dp, dst_name) : 0;
        /* A directory moving takes its subtree's cached fds to other names (vfs_dircache.c):
         * bump before (no one starts on the old name after) and after (no one cached it between). */
        if (r == 0 && S_ISDIR(st->st_mode))
                rw_index_bump_generation(e->upper.index);
        if (r == 0)
                r = rw_renameat2(sp, src_name, dp, dst_name, 0);
        if (S_ISDIR(st->st_mode))
                rw_index_bump_generation(e->upper.index);
        if (r == 0 && S_ISDIR(st->st_mode) && rw_lower_exists(dst->path, NULL))
                r = rw_make_opaque(e, dp, dst_name, dst->path);
        if (r == 0)
                rw_whiteout_remove(dp, dst_name);
        rw_close(sp);
        rw_close(dp);
        return r < 0 ? r : forget_source(e, from, src->path);
}

/* The source and target of a rename or link, both in the merged view: 0, or the error the
 * kernel gives when either parent is missing or the source is gone. */
static int lookup_pair(const struct rw_engine *e, const char *from, int follow_from, const char *to,
                       struct rw_where *src, struct rw_where *dst)
{
        int r;

        if ((r = rw_layer_lookup(&e->upper, from, follow_from, src)) < 0 ||
            (r = rw_layer_lookup(&e->upper, to, 0, dst)) < 0)
                return r;
        if (src->kind == RW_NOPARENT || dst->kind == RW_NOPARENT)
                return -(src->kind == RW_NOPARENT ? src->parent_errno : dst->parent_errno);
        return src->kind == RW_GONE ? -ENOENT : 0;
}

static int is_whiteout_name(const char *name)
{
        return strncmp(name, RW_WHITEOUT_PREFIX, sizeof(RW_WHITEOUT_PREFIX) - 1) == 0;
}

/* rename of a non-directory the upper holds, to a name whose parent the upper holds, both
 * directories cached (vfs_dircache.c): the write-then-rename of caches and package managers.
 * The target's lower side must be empty (checked, or known when the lower lacks its parent),
 * so renameat2 in the upper gives the kernel's own answer for the target (EISDIR, EEXIST for
 * RENAME_NOREPLACE...). Then the lower source goes, as in the slow walk. 1 with *ret set, or 0
 * for the slow walk. */
static int rename_fast(const struct rw_engine *e, const char *from, const char *to, unsigned flags, int *ret)
{
        struct rw_dirref sr, dr;
        struct stat st;
        int r = 1, src_absent;

        if ((flags & ~RENAME_NOREPLACE) || strcmp(from, to) == 0 || !rw_dircache_get(e, from, &sr))
                return 0;
        if (!rw_dircache_get(e, to, &dr)) {
                rw_dircache_put(e, &sr);
                return 0;
        }
        src_absent = sr.lower_absent;
        /* r stays 1 (slow walk) for whiteout names, a source the upper lacks or a directory
         * (they move by the slow walk: generation, EXDEV), and a target the lower may have. */
        if (!is_whiteout_name(sr.leaf) && !is_whiteout_name(dr.leaf) &&
            rw_fstatat(sr.fd, sr.leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode) &&
            rw_engine_may_redirect(e, to) &&
            (dr.lower_absent || (!rw_index_maybe_entry(e->upper.index, to) && !rw_lower_exists(to, NULL)))) {
                rw_engine_register(e, to, to);
                r = rw_renameat2(sr.fd, sr.leaf, dr.fd, dr.leaf, flags);
        }
        if (r == -EBADF || r == -ENOTDIR) {
                rw_dircache_drop(&sr);
                rw_dircache_drop(&dr);
                return 0;
        }
        rw_dircache_put(e, &sr);
        rw_dircache_put(e, &dr);
        if (r == 1 || r == -ENOENT)
                return 0;
        *ret = r == 0 && !src_absent ? forget_source(e, from, from) : r;
        return 1;
}

int rw_vfs_rename(const struct rw_engine *e, const char *from, const char *to, unsigned flags)
{
        struct rw_where src RW_WHERE_AUTO = { .parent_fd = -1 };
        struct rw_where dst RW_WHERE_AUTO = { .parent_fd = -1 };
        struct stat st;
        int r;

        if (rename_fast(e, from, to, flags, &r))
                return r;

        if ((r = lookup_pair(e, from, 0, to, &src, &dst)) < 0)
                return r;
        if (flags & ~RENAME_NOREPLACE)
                return -EINVAL;   /* RENAME_EXCHANGE/WHITEOUT across layers: not supported */
        if (src.kind == RW_LOWER && dst.kind == RW_LOWER) {
                r = rw_renameat2(AT_FDCWD, src.path, AT_FDCWD, dst.path, flags);
                if (r == 0 || !redirect_wanted(e, &src, &dst, r))
                        return r;
        }
        if (!merged_stat(&src, &st))
                return -ENOENT;
        if (strcmp(src.path, dst.path) == 0)
                return 0;
        r = check_replace(e, &st, &dst, flags);
        if (r < 0)
                return r;
        if (S_ISDIR(st.st_mode) && rw_lower_exists(src.path, NULL))
                return -EXDEV;
        return move_in_upper(e, from, to, &src, &dst, &st, r == 1);
}

/* linkat(AT_FDCWD, "/proc/self/fd/N", ..., AT_SYMLINK_FOLLOW): names an open file (an
 * O_TMPFILE one, typically) that may live in the upper; the kernel follows the magic link. */
static int link_open_file(const struct rw_engine *e, const char *from, const char *to)
{
        struct rw_where dst RW_WHERE_AUTO = { .parent_fd = -1 };
        struct stat st;
        const char *name;
        int r = rw_layer_lookup(&e->upper, to, 0, &dst), parent;

        if (r < 0)
                return r;
        if (dst.kind == RW_NOPARENT)
                return -dst.parent_errno;
        if (merged_stat(&dst, &st))
                return -EEXIST;
        if ((parent = rw_upper_parent(&e->upper, dst.path, &name)) < 0)
                return parent;
        rw_engine_register(e, to, dst.path);
        r = rw_linkat(AT_FDCWD, from, parent, name, AT_SYMLINK_FOLLOW);
        if (r == 0)
                rw_whiteout_remove(parent, name);
        rw_close(parent);
        return r;
}

int rw_vfs_link(const struct rw_engine *e, const char *from, const char *to, int flags)
{
        struct rw_where src RW_WHERE_AUTO = { .parent_fd = -1 };
        struct rw_where dst RW_WHERE_AUTO = { .parent_fd = -1 };
        const char *sn, *dn;
        struct stat st;
        int r, sp, dp;

        if ((flags & AT_SYMLINK_FOLLOW) && strncmp(from, "/proc/", 6) == 0)
                return link_open_file(e, from, to);
        if ((r = lookup_pair(e, from, !!(flags & AT_SYMLINK_FOLLOW), to, &src, &dst)) < 0)
                return r;
        if (merged_stat(&dst, &st))
                return -EEXIST;
        if (src.kind == RW_LOWER && dst.kind != RW_GONE) {
                r = rw_linkat(AT_FDCWD, src.path, AT_FDCWD, dst.path, 0);
                if (r == 0 || !redirect_wanted(e, &src, &dst, r))
                        return r;
        }
        if (!merged_stat(&src, &st))
                return -ENOENT;
        if (S_ISDIR(st.st_mode))
                return -EPERM;
        if (src.kind == RW_LOWER) {
                rw_engine_register(e, from, src.path);
                if ((r = rw_copy_up(&e->upper, src.path, 1)) < 0)
                        return r;
        }
        if ((sp = rw_upper_parent(&e->upper, src.path, &sn)) < 0)
                return sp;
        if ((dp = rw_upper_parent(&e->upper, dst.path, &dn)) < 0) {
                rw_close(sp);
                return dp;
        }
        rw_engine_register(e, to, dst.path);
        r = rw_linkat(sp, sn, dp, dn, 0);
        if (r == 0)
                rw_whiteout_remove(dp, dn);
        rw_close(sp);
        rw_close(dp);
        return r;
}

static int make_symlink(int dirfd, const char *name, const void *target)
{
        return rw_symlinkat(target, dirfd, name);
}

int rw_vfs_symlink(const struct rw_engine *e, const char *target, const char *abs)
{
        struct rw_new_name how = { make_symlink, NULL, target };

        return rw_vfs_new_name(e, abs, &how);
}
