/* Directories: merged listings behind opendir/fdopendir/readdir/scandir, and the cwd
 * (chdir/fchdir/getcwd) kept virtual when it lies in the upper. */
#include <dirent.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dirlist.h"
#include "core/sys.h"
#include "core/vfs.h"
#include "preload/state.h"

/* Open merged listings, keyed by DIR*. Only touched when at least one exists, so plain
 * readdir never takes the lock. */
#define MAX_MERGED 256
struct merged_dir {
        DIR *dir;
        struct rw_dirlist list;
        size_t pos;
};
static struct merged_dir merged[MAX_MERGED];
static _Atomic int merged_open;
static atomic_flag merged_lock = ATOMIC_FLAG_INIT;

static void lock(void) { while (atomic_flag_test_and_set_explicit(&merged_lock, memory_order_acquire)) ; }
static void unlock(void) { atomic_flag_clear_explicit(&merged_lock, memory_order_release); }

static struct merged_dir *find_merged(DIR *d)
{
        for (int i = 0; i < MAX_MERGED; i++)
                if (merged[i].dir == d)
                        return &merged[i];
        return NULL;
}

/* Attaches list to d; when the table is full the listing is dropped (lower only). */
static void attach(DIR *d, struct rw_dirlist *list)
{
        lock();
        struct merged_dir *m = find_merged(NULL);
        if (m) {
                m->dir = d;
                m->list = *list;
                m->pos = 0;
                atomic_fetch_add(&merged_open, 1);
        }
        unlock();
        if (!m)
                rw_dirlist_free(list);
}

static int needs_merge(int dirfd, const char *path, char *abs)
{
        if (!preload_upper_nonempty())
                return 0;
        return (preload_query(dirfd, path, abs, PATH_MAX) & (RW_INDEX_UNDER | RW_INDEX_ANCESTOR)) != 0;
}

DECLARE_REAL(DIR *, opendir, const char *);
DECLARE_REAL(DIR *, fdopendir, int);
DECLARE_REAL(int, closedir, DIR *);
DECLARE_REAL(struct dirent *, readdir, DIR *);
#if PRELOAD_GLIBC_ABI
DECLARE_REAL(struct dirent64 *, readdir64, DIR *);
#endif
DECLARE_REAL(int, readdir_r, DIR *, struct dirent *, struct dirent **);
DECLARE_REAL(void, rewinddir, DIR *);
DECLARE_REAL(void, seekdir, DIR *, long);
DECLARE_REAL(long, telldir, DIR *);
DECLARE_REAL(int, scandir, const char *, struct dirent ***, int (*)(const struct dirent *),
             int (*)(const struct dirent **, const struct dirent **));

PRELOAD_API DIR *opendir(const char *path)
{
        char abs[PATH_MAX], real[PATH_MAX];
        struct rw_dirlist list;
        DIR *d;
        int r;

        if (preload_off() || !needs_merge(AT_FDCWD, path, abs))
                return REAL(opendir)(path);
        r = rw_dirlist_build(&preload_engine, abs, &list);
        if (r == 0)
                r = rw_vfs_real_path(&preload_engine, abs, 1, real, sizeof(real));
        if (r < 0) {
                rw_dirlist_free(&list);
                errno = -r;
                return NULL;
        }
        d = REAL(opendir)(real);
        if (!d) {
                rw_dirlist_free(&list);
                return NULL;
        }
        attach(d, &list);
        return d;
}

PRELOAD_API DIR *fdopendir(int fd)
{
        char abs[PATH_MAX];
        struct rw_dirlist list;
        DIR *d;

        if (preload_off() || !needs_merge(fd, ".", abs))
                return REAL(fdopendir)(fd);
        if (rw_dirlist_build(&preload_engine, abs, &list) < 0)
                return REAL(fdopendir)(fd);
        d = REAL(fdopendir)(fd);
        if (!d) {
                rw_dirlist_free(&list);
                return NULL;
        }
        attach(d, &list);
        return d;
}

/* Next merged record of d, or (void *)-1 when d is not merged. */
static void *merged_next(DIR *d)
{
        void *res = (void *)-1;

        lock();
        struct merged_dir *m = find_merged(d);
        if (m) {
                struct rw_dirent *e = rw_dirlist_at(&m->list, m->pos);
                if (e)
                        m->pos += e->d_reclen;
                res = e;
        }
        unlock();
        return res;
}

PRELOAD_API struct dirent *readdir(DIR *d)
{
        if (likely(atomic_load_explicit(&merged_open, memory_order_relaxed) == 0))
                return REAL(readdir)(d);
        void *e = merged_next(d);
        return e == (void *)-1 ? REAL(readdir)(d) : e;
}

#if PRELOAD_GLIBC_ABI
PRELOAD_API struct dirent64 *readdir64(DIR *d)
{
        if (likely(atomic_load_explicit(&merged_open, memory_order_relaxed) == 0))
                return REAL(readdir64)(d);
        void *e = merged_next(d);
        return e == (void *)-1 ? REAL(readdir64)(d) : e;
}
#endif

/* Deprecated, but both C libraries build it on their internal readdir, which never sees a
 * merged listing. */
PRELOAD_API int readdir_r(DIR *d, struct dirent *entry, struct dirent **result)
{
        if (likely(atomic_load_explicit(&merged_open, memory_order_relaxed) == 0))
                return REAL(readdir_r)(d, entry, result);
        struct rw_dirent *e = merged_next(d);
        if (e == (void *)-1)
                return REAL(readdir_r)(d, entry, result);
        *result = NULL;
        if (!e)
                return 0;
        size_t len = strlen(e->d_name);
        if (len >= sizeof(entry->d_name))
                return ENAMETOOLONG;
        entry->d_ino = e->d_ino;
        entry->d_off = e->d_off;
        entry->d_reclen = sizeof(*entry);
        entry->d_type = e->d_type;
        memcpy(entry->d_name, e->d_name, len + 1);
        *result = entry;
        return 0;
}

/* Applies fn to d's merged state; returns 1 if d is merged. */
static int with_merged(DIR *d, void (*fn)(struct merged_dir *m, long arg), long arg)
{
        int found = 0;

        if (atomic_load_explicit(&merged_open, memory_order_relaxed) == 0)
                return 0;
        lock();
        struct merged_dir *m = find_merged(d);
        if (m) {
                fn(m, arg);
                found = 1;
        }
        unlock();
        return found;
}

static void set_pos(struct merged_dir *m, long pos) { m->pos = pos < 0 ? 0 : (size_t)pos; }
static void get_pos(struct merged_dir *m, long ret) { *(long *)ret = (long)m->pos; }
static void release(struct merged_dir *m, long arg)
{
        (void)arg;
        rw_dirlist_free(&m->list);
        m->dir = NULL;
        atomic_fetch_sub(&merged_open, 1);
}

PRELOAD_API void rewinddir(DIR *d)
{
        with_merged(d, set_pos, 0);
        REAL(rewinddir)(d);
}

PRELOAD_API void seekdir(DIR *d, long pos)
{
        if (!with_merged(d, set_pos, pos))
                REAL(seekdir)(d, pos);
}

PRELOAD_API long telldir(DIR *d)
{
        long pos;

        if (with_merged(d, get_pos, (long)&pos))
                return pos;
        return REAL(telldir)(d);
}

PRELOAD_API int closedir(DIR *d)
{
        with_merged(d, release, 0);
        return REAL(closedir)(d);
}

/* glibc's scandir calls its internal opendir, so it is rebuilt on the wrappers above. */
static int scan_merged(DIR *d, struct dirent ***list, int (*sel)(const struct dirent *),
                       int (*cmp)(const struct dirent **, const struct dirent **))
{
        struct dirent **v = NULL, *e;
        size_t n = 0, cap = 0;

        while ((e = readdir(d)) != NULL) {
                if (sel && !sel(e))
                        continue;
                if (n == cap) {
                        cap = cap ? cap * 2 : 32;
                        struct dirent **nv = realloc(v, cap * sizeof(*v));
                        if (!nv)
                                goto fail;
                        v = nv;
                }
                v[n] = malloc(e->d_reclen);
                if (!v[n])
                        goto fail;
                memcpy(v[n++], e, e->d_reclen);
        }
        if (cmp && n > 1)
                qsort(v, n, sizeof(*v), (int (*)(const void *, const void *))cmp);
        *list = v;
        return (int)n;
fail:
        while (n)
                free(v[--n]);
        free(v);
        errno = ENOMEM;
        return -1;
}

PRELOAD_API int scandir(const char *path, struct dirent ***list, int (*sel)(const struct dirent *),
                        int (*cmp)(const struct dirent **, const struct dirent **))
{
        char abs[PATH_MAX];

        if (preload_off() || !needs_merge(AT_FDCWD, path, abs))
                return REAL(scandir)(path, list, sel, cmp);
        DIR *d = opendir(path);
        if (!d)
                return -1;
        int n = scan_merged(d, list, sel, cmp);
        int saved = errno;
        closedir(d);
        errno = saved;
        return n;
}

#if PRELOAD_GLIBC_ABI
PRELOAD_API int scandir64(const char *path, struct dirent64 ***list, int (*sel)(const struct dirent64 *),
                          int (*cmp)(const struct dirent64 **, const struct dirent64 **))
{
        return scandir(path, (struct dirent ***)list, (int (*)(const struct dirent *))sel,
                       (int (*)(const struct dirent **, const struct dirent **))cmp);
}
#endif

/* ---- cwd ---- */
DECLARE_REAL(int, chdir, const char *);
DECLARE_REAL(int, fchdir, int);
DECLARE_REAL(char *, getcwd, char *, size_t);

/* The real cwd is the lower directory whenever the merged view shows all of it (the upper
 * holds no entry at abs or above it: no copy, whiteout or opaque dir, only new descendants).
 * Relative calls that pass through then find the lower-only names, and the index sends the
 * names the upper holds to the merged view. "newdir/.." reaches here with abs in the upper
 * only as the parent of newdir. */
static int lower_is_whole(const char *abs)
{
        struct stat st;

        if (rw_index_query(preload_engine.upper.index, abs) & RW_INDEX_UNDER)
                return 0;
        return rw_fstatat(AT_FDCWD, abs, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

PRELOAD_API int chdir(const char *path)
{
        char abs[PATH_MAX], real[PATH_MAX];
        int r;

        if (preload_off())
                return REAL(chdir)(path);
        if (preload_upper_nonempty() && (preload_query(AT_FDCWD, path, abs, sizeof(abs)) & RW_INDEX_UNDER)) {
                r = rw_vfs_real_path(&preload_engine, abs, 1, real, sizeof(real));
                if (r < 0)
                        return preload_ret(r);
                r = REAL(chdir)(lower_is_whole(abs) ? abs : real);
        } else {
                r = REAL(chdir)(path);
        }
        if (r == 0)
                preload_cwd_changed();
        return r;
}

PRELOAD_API int fchdir(int fd)
{
        int r = REAL(fchdir)(fd);

        if (r == 0 && !preload_off())
                preload_cwd_changed();
        return r;
}

DECLARE_REAL(char *, get_current_dir_name, void);

/* The real cwd in the upper is shown as the virtual path (shorter: it fits in place). */
static char *virtual_cwd(char *r)
{
        char virt[PATH_MAX];

        if (r && preload_engine.mode == RW_MODE_RUN && !preload_busy &&
            rw_upper_to_virtual(&preload_engine.upper, r, virt, sizeof(virt)) == 1)
                memcpy(r, virt, strlen(virt) + 1);
        return r;
}

PRELOAD_API char *getcwd(char *buf, size_t size) { return virtual_cwd(REAL(getcwd)(buf, size)); }

/* Both libraries answer $PWD when it names the cwd, else call their internal getcwd. */
PRELOAD_API char *get_current_dir_name(void) { return virtual_cwd(REAL(get_current_dir_name)()); }
