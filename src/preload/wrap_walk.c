/* nftw and ftw: both C libraries walk with their internal stat and opendir, which never see
 * the merged view, so a walk that may cross the upper is redone here on the public wrappers
 * (stat/lstat/opendir/readdir above). Walks that cannot meet the upper, or ask for what this
 * walker does not do (FTW_CHDIR, glibc's FTW_ACTIONRETVAL), go to libc unchanged. */
#include <dirent.h>
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>

#include "preload/state.h"

typedef int (*nftw_fn)(const char *, const struct stat *, int, struct FTW *);
typedef int (*ftw_fn)(const char *, const struct stat *, int);

DECLARE_REAL(int, nftw, const char *, nftw_fn, int, int);
DECLARE_REAL(int, ftw, const char *, ftw_fn, int);

#define WALK_FLAGS (FTW_PHYS | FTW_MOUNT | FTW_DEPTH)

/* One directory on the way down, for the cycle check when symlinks are followed. */
struct walk_level {
        const struct walk_level *up;
        dev_t dev;
        ino_t ino;
};

struct walk {
        char path[PATH_MAX];
        nftw_fn fn;
        int flags;
        dev_t root_dev;
};

static int walk_should_take(const char *path, int flags, int fd_limit)
{
        char abs[PATH_MAX];

        if (preload_off() || !preload_upper_nonempty() || !path || fd_limit < 1 || (flags & ~WALK_FLAGS))
                return 0;
        return (preload_query(AT_FDCWD, path, abs, sizeof(abs)) & (RW_INDEX_UNDER | RW_INDEX_ANCESTOR)) != 0;
}

/* The FTW_* type of w->path, with st filled as far as it can be. */
static int classify(struct walk *w, struct stat *st)
{
        int follow = !(w->flags & FTW_PHYS);

        if ((follow ? stat(w->path, st) : lstat(w->path, st)) != 0) {
                if (follow && errno == ENOENT && lstat(w->path, st) == 0)
                        return FTW_SLN;   /* a dangling symlink */
                return errno == EACCES ? FTW_NS : -1;
        }
        if (S_ISDIR(st->st_mode))
                return (w->flags & FTW_DEPTH) ? FTW_DP : FTW_D;
        if (S_ISLNK(st->st_mode))
                return FTW_SL;
        return FTW_F;
}

static int on_the_way_down(const struct walk_level *l, const struct stat *st)
{
        for (; l; l = l->up)
                if (l->dev == st->st_dev && l->ino == st->st_ino)
                        return 1;
        return 0;
}

static int walk_at(struct walk *w, size_t len, int base, int level, const struct walk_level *up);

/* Walks the entries of the directory at w->path (len bytes). */
static int walk_entries(struct walk *w, DIR *d, size_t len, int level, const struct walk_level *here)
{
        struct dirent *e;
        int r = 0;

        while (r == 0 && (e = readdir(d)) != NULL) {
                const char *n = e->d_name;
                size_t nl = strlen(n);

                if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])))
                        continue;
                size_t sep = (len && w->path[len - 1] == '/') ? 0 : 1;
                if (len + sep + nl >= sizeof(w->path)) {
                        errno = ENAMETOOLONG;
                        r = -1;
                        break;
                }
                if (sep)
                        w->path[len] = '/';
                memcpy(w->path + len + sep, n, nl + 1);
                r = walk_at(w, len + sep + nl, (int)(len + sep), level + 1, here);
                w->path[len] = '\0';
        }
        return r;
}

/* Visits w->path (len bytes; its last component starts at base), then what it holds. */
static int walk_at(struct walk *w, size_t len, int base, int level, const struct walk_level *up)
{
        struct FTW info = { .base = base, .level = level };
        struct stat st;
        DIR *d = NULL;
        int r, type = classify(w, &st);

        if (type < 0)
                return -1;
        if ((w->flags & FTW_MOUNT) && level > 0 && st.st_dev != w->root_dev)
                return 0;
        if (level == 0)
                w->root_dev = st.st_dev;
        int is_dir = type == FTW_D || type == FTW_DP;
        if (is_dir && !on_the_way_down(up, &st)) {
                d = opendir(w->path);
                if (!d && errno != EACCES)
                        return -1;
                if (!d)
                        type = FTW_DNR;
        }
        if (!(w->flags & FTW_DEPTH) || type == FTW_DNR) {
                r = w->fn(w->path, &st, type, &info);
                if (r || !d) {
                        if (d)
                                closedir(d);
                        return r;
                }
        }
        if (d) {
                struct walk_level here = { up, st.st_dev, st.st_ino };
                r = walk_entries(w, d, len, level, &here);
                int saved = errno;
                closedir(d);
                errno = saved;
                if (r)
                        return r;
        }
        if ((w->flags & FTW_DEPTH) && type != FTW_DNR)
                return w->fn(w->path, &st, type, &info);
        return 0;
}

static int walk_from(const char *path, nftw_fn fn, int flags)
{
        struct walk w = { .fn = fn, .flags = flags };
        size_t len = strlen(path);

        if (len >= sizeof(w.path)) {
                errno = ENAMETOOLONG;
                return -1;
        }
        memcpy(w.path, path, len + 1);
        size_t end = len;
        while (end > 1 && w.path[end - 1] == '/')
                end--;
        const char *slash = memrchr(w.path, '/', end > 0 ? end - 1 : 0);
        return walk_at(&w, len, slash ? (int)(slash - w.path) + 1 : 0, 0, NULL);
}

PRELOAD_API int nftw(const char *path, nftw_fn fn, int fd_limit, int flags)
{
        if (!walk_should_take(path, flags, fd_limit))
                return REAL(nftw)(path, fn, fd_limit, flags);
        return walk_from(path, fn, flags);
}

/* ftw is nftw with FTW_PHYS off and without struct FTW; its callback is kept here per
 * thread (the walk runs in the caller's thread, and callbacks may walk again: restored). */
static __thread ftw_fn ftw_callback;

static int call_ftw(const char *path, const struct stat *st, int type, struct FTW *info)
{
        (void)info;
        return ftw_callback(path, st, type);
}

PRELOAD_API int ftw(const char *path, ftw_fn fn, int fd_limit)
{
        if (!walk_should_take(path, 0, fd_limit))
                return REAL(ftw)(path, fn, fd_limit);
        ftw_fn saved = ftw_callback;
        ftw_callback = fn;
        int r = walk_from(path, call_ftw, 0);
        ftw_callback = saved;
        return r;
}

#if PRELOAD_GLIBC_ABI
/* What glibc programs built with _FILE_OFFSET_BITS=64 call. On the 64-bit targets we build
 * for, struct stat64 and struct stat are the same layout, so the callbacks are shared. */
typedef int (*nftw64_fn)(const char *, const struct stat64 *, int, struct FTW *);
typedef int (*ftw64_fn)(const char *, const struct stat64 *, int);
_Static_assert(sizeof(struct stat64) == sizeof(struct stat), "stat64 is stat on this target");

DECLARE_REAL(int, nftw64, const char *, nftw64_fn, int, int);
DECLARE_REAL(int, ftw64, const char *, ftw64_fn, int);

PRELOAD_API int nftw64(const char *path, nftw64_fn fn, int fd_limit, int flags)
{
        if (!walk_should_take(path, flags, fd_limit))
                return REAL(nftw64)(path, fn, fd_limit, flags);
        return walk_from(path, (nftw_fn)(void (*)(void))fn, flags);
}

PRELOAD_API int ftw64(const char *path, ftw64_fn fn, int fd_limit)
{
        if (!walk_should_take(path, 0, fd_limit))
                return REAL(ftw64)(path, fn, fd_limit);
        return ftw(path, (ftw_fn)(void (*)(void))fn, fd_limit);
}
#endif
