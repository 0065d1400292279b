/* Merged lookup over the lower filesystem and the upper dir (preload-safe); see layer.h. */
#include "core/layer.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "core/path.h"
#include "core/sys.h"

#define MAX_SYMLINKS 40
#define WALK_FLAGS (O_PATH | O_NOFOLLOW | O_DIRECTORY)

int rw_upper_open_fs(const struct rw_upper *u)
{
        return rw_openat(AT_FDCWD, u->fs, O_PATH | O_DIRECTORY, 0);
}

void rw_where_release(struct rw_where *w)
{
        if (w->parent_fd >= 0)
                rw_close(w->parent_fd);
        w->parent_fd = -1;
}

static int exists_at(int dirfd, const char *name)
{
        struct stat st;

        return rw_fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int has_whiteout(int dirfd, const char *name)
{
        char wh[NAME_MAX + 8];
        size_t n = strlen(name);

        if (n + sizeof(RW_WHITEOUT_PREFIX) > sizeof(wh))
                return 0;
        memcpy(wh, RW_WHITEOUT_PREFIX, sizeof(RW_WHITEOUT_PREFIX) - 1);
        memcpy(wh + sizeof(RW_WHITEOUT_PREFIX) - 1, name, n + 1);
        return exists_at(dirfd, wh);
}

/* True if the upper dir fd (virtual path dir[0..len)) hides its lower entries. */
static int is_opaque(const struct rw_upper *u, int fd, const char *dir, size_t len)
{
        return rw_index_maybe_opaque(u->index, dir, len) && exists_at(fd, RW_OPAQUE_NAME);
}

/* Replaces path[0..end) (a symlink whose target is target) by the target, keeping the rest. */
static int splice_symlink(char *path, size_t end, const char *target)
{
        char joined[PATH_MAX], base[PATH_MAX], rest[PATH_MAX];
        const char *name;
        int r;

        if (strlen(path + end) + 1 > sizeof(rest))
                return -ENAMETOOLONG;
        strcpy(rest, path + end);
        path[end] = '\0';
        r = rw_path_split(path, base, sizeof(base), &name);
        if (r < 0)
                return r;
        r = rw_path_normalize(base, target, joined, sizeof(joined));
        if (r < 0)
                return r;
        if ((size_t)r + strlen(rest) + 1 > PATH_MAX)
                return -ENAMETOOLONG;
        memcpy(path, joined, (size_t)r);
        strcpy(path + r, rest);
        return 0;
}

/* Reads the target of the symlink at (dirfd, name) into buf. */
static int read_link(int dirfd, const char *name, char *buf, size_t size)
{
        ssize_t n = rw_readlinkat(dirfd, name, buf, size - 1);

        if (n < 0)
                return (int)n;
        if ((size_t)n >= size - 1)
                return -ENAMETOOLONG;
        buf[n] = '\0';
        return 0;
}

/* One component p[0..len) of w->path whose prefix ends at end: a lower symlink there is
 * spliced in (returns 1, restart), anything else is left to the kernel (returns 0). */
static int lower_component(struct rw_where *w, size_t end)
{
        char target[PATH_MAX];
        struct stat st;
        char saved = w->path[end];
        int r;

        w->path[end] = '\0';
        r = rw_fstatat(AT_FDCWD, w->path, &st, AT_SYMLINK_NOFOLLOW);
        if (r < 0 || !S_ISLNK(st.st_mode)) {
                w->path[end] = saved;
                return 0;       /* missing or not a link: the kernel will say the same */
        }
        r = read_link(AT_FDCWD, w->path, target, sizeof(target));
        w->path[end] = saved;
        if (r < 0)
                return r;
        r = splice_symlink(w->path, end, target);
        return r < 0 ? r : 1;
}

/* A whiteout for w->path can only exist if the index has it as an entry (whiteouts are
 * registered before they are made): saves a failing fstatat per creation. */
static int whited_out(const struct rw_upper *u, const struct rw_where *w, int fd)
{
        if (u->index && !rw_index_maybe_entry(u->index, w->path))
                return 0;
        return has_whiteout(fd, w->name);
}

/* The upper holds the parent of w->path (fd); looks at the last component [pos, end).
 * Takes ownership of fd. Returns 0 (w filled), 1 (symlink spliced: restart) or -errno. */
static int finish_last(const struct rw_upper *u, struct rw_where *w, int fd, size_t pos, size_t end,
                       int follow_last, int hidden)
{
        w->parent_fd = fd;
        w->name = w->path + pos;
        int r = rw_fstatat(fd, w->name, &w->st, AT_SYMLINK_NOFOLLOW);
        if (r == -EACCES) {
                /* The upper parent is a directory the program itself made unsearchable (chmod
                 * 0400...): the kernel says EACCES for any name in it, whichever layer. */
                w->kind = RW_NOPARENT;
                w->parent_errno = EACCES;
                return 0;
        }
        if (r == 0) {
                w->kind = RW_UPPER;
                if (S_ISLNK(w->st.st_mode) && follow_last) {
                        char target[PATH_MAX];

                        r = read_link(fd, w->name, target, sizeof(target));
                        rw_where_release(w);
                        if (r < 0)
                                return r;
                        r = splice_symlink(w->path, end, target);
                        return r < 0 ? r : 1;
                }
                return 0;
        }
        w->kind = (hidden || whited_out(u, w, fd)) ? RW_GONE : RW_LOWER;
        return 0;
}

/* Opens UPPER/fs<dir> in one openat2 call when no component is a symlink (or magic link):
 * the kernel then guarantees the walk stayed inside the upper. -errno otherwise (ELOOP for a
 * symlink, ENOENT, ENOSYS before Linux 5.6): callers fall back to the component walk. */
static int open_upper_dir_fast(const struct rw_upper *u, const char *dir, size_t len)
{
        char path[PATH_MAX];
        struct open_how how = {
                .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };

        if (u->fs_len + len + 1 > sizeof(path))
                return -ENAMETOOLONG;
        memcpy(path, u->fs, u->fs_len);
        memcpy(path + u->fs_len, dir, len);
        path[u->fs_len + len] = '\0';
        return rw_openat2(AT_FDCWD, path, &how);
}

/* The common case: the upper holds the parent dir and nothing above it is opaque (the index
 * says so from memory). Returns 0/1/-errno like walk_once, or 2 when the slow walk is needed. */
static int walk_fast(const struct rw_upper *u, struct rw_where *w, int follow_last)
{
        char *p = w->path;
        size_t n = strlen(p), slash = n;
        int fd;

        if (!u->index || n < 2 || rw_index_saturated(u->index))
                return 2;
        while (slash > 0 && p[slash] != '/')
                slash--;
        if (rw_index_maybe_opaque(u->index, "/", 1))
                return 2;
        for (size_t i = 1; i < slash; i++)          /* every proper ancestor "/a", "/a/b" */
                if (p[i] == '/' && rw_index_maybe_opaque(u->index, p, i))
                        return 2;
        if (slash > 0 && rw_index_maybe_opaque(u->index, p, slash))   /* the parent itself */
                return 2;
        fd = open_upper_dir_fast(u, p, slash);
        if (fd < 0)
                return 2;
        return finish_last(u, w, fd, slash + 1, n, follow_last, 0);
}

/* The rest of w->path from pos lies below anything the upper holds: only lower symlinks
 * can still change the path. Returns 0 (w is RW_LOWER), 1 (symlink spliced) or -errno. */
static int walk_lower(struct rw_where *w, size_t pos)
{
        for (;;) {
                size_t end = pos;

                while (w->path[end] && w->path[end] != '/')
                        end++;
                if (!w->path[end]) {
                        w->name = w->path + pos;
                        w->kind = RW_LOWER;
                        return 0;
                }
                int r = lower_component(w, end);
                if (r != 0)
                        return r;
                pos = end + 1;
        }
}

/* Walks the upper along w->path. Returns 1 when a symlink was spliced (restart), 0 when w is
 * filled, or -errno. */
static int walk_once(const struct rw_upper *u, struct rw_where *w, int follow_last)
{
        char *p = w->path;
        int fd = rw_upper_open_fs(u);
        int hidden = 0;               /* an opaque upper dir hides the lower below here */
        size_t pos = 1;

        if (fd < 0)
                return fd;
        hidden = is_opaque(u, fd, "/", 1);
        while (p[pos]) {
                size_t end = pos;

                while (p[end] && p[end] != '/')
                        end++;
                int last = p[end] == '\0';
                char saved = p[end];

                p[end] = '\0';
                if (last) {
                        p[end] = saved;
                        return finish_last(u, w, fd, pos, end, follow_last, hidden);
                }
                int next = rw_openat(fd, p + pos, WALK_FLAGS, 0);
                if (next >= 0) {
                        rw_close(fd);
                        fd = next;
                        if (!hidden)
                                hidden = is_opaque(u, fd, p, end);
                        p[end] = saved;
                        pos = end + 1;
                        continue;
                }
                struct stat st;
                if (next == -ENOTDIR && rw_fstatat(fd, p + pos, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                        char target[PATH_MAX];
                        int r = -ENOTDIR;

                        if (S_ISLNK(st.st_mode))
                                r = read_link(fd, p + pos, target, sizeof(target));
                        rw_close(fd);
                        p[end] = saved;
                        if (r == -ENOTDIR) {
                                w->kind = RW_NOPARENT;
                                w->parent_errno = ENOTDIR;
                                return 0;
                        }
                        if (r < 0)
                                return r;
                        r = splice_symlink(p, end, target);
                        return r < 0 ? r : 1;
                }
                if (next != -ENOENT) {
                        rw_close(fd);
                        p[end] = saved;
                        return next;
                }
                if (hidden || has_whiteout(fd, p + pos)) {
                        rw_close(fd);
                        p[end] = saved;
                        w->kind = RW_NOPARENT;
                        w->parent_errno = ENOENT;
                        return 0;
                }
                rw_close(fd);
                p[end] = saved;
                return walk_lower(w, pos);
        }
        /* The path is "/": the root is always lower (and may have upper entries merged in). */
        rw_close(fd);
        w->name = p + 1;
        w->kind = RW_LOWER;
        return 0;
}

int rw_layer_lookup(const struct rw_upper *u, const char *abs, int follow_last, struct rw_where *w)
{
        size_t n = strlen(abs);

        if (n + 1 > sizeof(w->path))
                return -ENAMETOOLONG;
        memcpy(w->path, abs, n + 1);
        for (int i = 0; i < MAX_SYMLINKS; i++) {
                w->parent_fd = -1;
                w->parent_errno = 0;
                int r = walk_fast(u, w, follow_last);
                if (r == 2)
                        r = walk_once(u, w, follow_last);
                if (r <= 0)
                        return r;
        }
        return -ELOOP;
}

int rw_where_real_path(const struct rw_upper *u, const struct rw_where *w, char *out, size_t size)
{
        size_t n = strlen(w->path);

        switch (w->kind) {
        case RW_GONE:
                return -ENOENT;
        case RW_NOPARENT:
                return -w->parent_errno;
        case RW_LOWER:
                if (n + 1 > size)
                        return -ENAMETOOLONG;
                memcpy(out, w->path, n + 1);
                return 0;
        case RW_UPPER:
                break;
        }
        if (u->fs_len + n + 1 > size)
                return -ENAMETOOLONG;
        memcpy(out, u->fs, u->fs_len);
        memcpy(out + u->fs_len, w->path, n + 1);
        return 0;
}

int rw_upper_mkdirs(const struct rw_upper *u, const char *dir)
{
        char lower[PATH_MAX];
        size_t pos = 1, n = strlen(dir);
        int fd = open_upper_dir_fast(u, dir, strcmp(dir, "/") == 0 ? 0 : n);

        if (fd >= 0)
                return fd;   /* already there */
        fd = rw_upper_open_fs(u);

        if (fd < 0)
                return fd;
        if (n + 1 > sizeof(lower)) {
                rw_close(fd);
                return -ENAMETOOLONG;
        }
        memcpy(lower, dir, n + 1);
        while (pos < n) {
                size_t end = pos;
                struct stat st;

                while (lower[end] && lower[end] != '/')
                        end++;
                char saved = lower[end];
                lower[end] = '\0';
                int next = rw_openat(fd, lower + pos, WALK_FLAGS, 0);
                if (next == -ENOENT) {
                        mode_t mode = 0755;
                        int r = rw_fstatat(AT_FDCWD, lower, &st, 0);

                        if (r < 0 || !S_ISDIR(st.st_mode)) {
                                rw_close(fd);
                                return r < 0 ? r : -ENOTDIR;
                        }
                        mode = (st.st_mode & 07777) | S_IRWXU;
                        r = rw_mkdirat(fd, lower + pos, mode);
                        if (r < 0 && r != -EEXIST) {
                                rw_close(fd);
                                return r;
                        }
                        rw_fchmodat(fd, lower + pos, mode);   /* umask narrowed it */
                        next = rw_openat(fd, lower + pos, WALK_FLAGS, 0);
                }
                rw_close(fd);
                if (next < 0)
                        return next;
                fd = next;
                lower[end] = saved;
                pos = end + 1;
        }
        return fd;
}

int rw_upper_to_virtual(const struct rw_upper *u, const char *real, char *out, size_t size)
{
        size_t n;

        if (strncmp(real, u->fs, u->fs_len) != 0 || (real[u->fs_len] != '/' && real[u->fs_len] != '\0'))
                return 0;
        real += u->fs_len;
        if (!*real)
                real = "/";
        n = strlen(real);
        if (n + 1 > size)
                return -ENAMETOOLONG;
        memcpy(out, real, n + 1);
        return 1;
}
