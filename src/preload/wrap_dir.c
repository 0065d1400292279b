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

/* Open merged listings, keyed by DIR*. A DIR that is not merged never enters the table, so
 * readdir on it reads one relaxed counter (no lock, no syscall, no allocation) while no merged
 * DIR is open, and scans the slots ever used with plain loads otherwise. The first slots carry
 * a static buffer, so a small merged listing needs no mmap. */
#define MAX_MERGED   256
#define SMALL_SLOTS  32
#define SMALL_BYTES  8192          /* ~250 entries of short names */
#define CLAIMED      ((DIR *)1)    /* a slot being filled: never a real DIR* */
struct merged_dir {
        _Atomic(DIR *) dir;
        atomic_flag busy;          /* the program's threads may share one DIR (glibc locks it) */
        size_t pos;
        struct rw_dirlist list;
};
static struct merged_dir merged[MAX_MERGED];
static char small_buf[SMALL_SLOTS][SMALL_BYTES] __attribute__((aligned(8)));
static _Atomic int merged_open;    /* slots claimed */
static _Atomic int merged_high;    /* slots [0, merged_high) may be claimed */

static void lock(struct merged_dir *m)
{
        while (atomic_flag_test_and_set_explicit(&m->busy, memory_order_acquire))
                ;
}
static void unlock(struct merged_dir *m) { atomic_flag_clear_explicit(&m->busy, memory_order_release); }

/* A free slot, marked CLAIMED, or NULL when all are taken (the DIR is then not merged). */
static struct merged_dir *claim(void)
{
        for (int i = 0; i < MAX_MERGED; i++) {
                DIR *expected = NULL;

                if (!atomic_compare_exchange_strong(&merged[i].dir, &expected, CLAIMED))
                        continue;
                atomic_fetch_add(&merged_open, 1);
                int high = atomic_load(&merged_high);
                while (high < i + 1 && !atomic_compare_exchange_weak(&merged_high, &high, i + 1))
                        ;
                return &merged[i];
        }
        return NULL;
}

static void unclaim(struct merged_dir *m)
{
        rw_dirlist_free(&m->list);
        atomic_store_explicit(&m->dir, NULL, memory_order_release);
        atomic_fetch_sub(&merged_open, 1);
}

static void *slot_buf(const struct merged_dir *m)
{
        size_t i = (size_t)(m - merged);

        return i < SMALL_SLOTS ? small_buf[i] : NULL;
}

static struct merged_dir *find_merged(DIR *d)
{
        int high = atomic_load_explicit(&merged_high, memory_order_acquire);

        for (int i = 0; i < high; i++)
                if (atomic_load_explicit(&merged[i].dir, memory_order_acquire) == d)
                        return &merged[i];
        return NULL;
}

/* The merged DIR d, or NULL for any other (at once while none is open). */
static inline struct merged_dir *merged_of(DIR *d)
{
        if (likely(atomic_load_explicit(&merged_open, memory_order_relaxed) == 0))
                return NULL;
        return find_merged(d);
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

/* The program's DIR holds the directory stat() shows, so dirfd(), fstat and fchdir agree with
 * it. For the common case, a lower dir the upper only adds names to, that is the lower: libc
 * opens it as natively and the listing reads that fd, so no extra open or fdopendir is paid. */
PRELOAD_API DIR *opendir(const char *path)
{
        char abs[PATH_MAX];
        struct merged_dir *m;
        DIR *pre = NULL, *d;
        int fd = -1, r;

        if (preload_off() || !needs_merge(AT_FDCWD, path, abs) || !(m = claim()))
                return REAL(opendir)(path);
        if (!(rw_index_query(preload_engine.upper.index, abs) & RW_INDEX_UNDER) &&
            (pre = REAL(opendir)(abs)) != NULL)
                fd = dirfd(pre);
        r = rw_dirlist_build_in(&preload_engine, abs, &m->list, slot_buf(m), SMALL_BYTES, &fd);
        if (r < 0) {
                if (pre)
                        REAL(closedir)(pre);
                unclaim(m);
                errno = -r;
                return NULL;
        }
        if (pre && fd == dirfd(pre)) {
                d = pre;
        } else {
                if (pre)
                        REAL(closedir)(pre);   /* the listing says the DIR is the upper's */
                d = REAL(fdopendir)(fd);
                if (!d) {
                        int saved = errno;
                        rw_close(fd);
                        unclaim(m);
                        errno = saved;
                        return NULL;
                }
        }
        if (r == 1) {           /* nothing to merge: a plain DIR of the lower */
                unclaim(m);
                return d;
        }
        m->pos = 0;
        atomic_store_explicit(&m->dir, d, memory_order_release);
        return d;
}

PRELOAD_API DIR *fdopendir(int fd)
{
        char abs[PATH_MAX];
        struct merged_dir *m;
        int own = -1, r;
        DIR *d;

        if (preload_off() || !needs_merge(fd, ".", abs) || !(m = claim()))
                return REAL(fdopendir)(fd);
        r = rw_dirlist_build_in(&preload_engine, abs, &m->list, slot_buf(m), SMALL_BYTES, &own);
        if (r >= 0)
                rw_close(own);
        if (r != 0) {           /* nothing to merge, or no listing: the program's fd as it is */
                unclaim(m);
                return REAL(fdopendir)(fd);
        }
        d = REAL(fdopendir)(fd);
        if (!d) {
                int saved = errno;
                unclaim(m);
                errno = saved;
                return NULL;
        }
        m->pos = 0;
        atomic_store_explicit(&m->dir, d, memory_order_release);
        return d;
}

/* Next merged record of m, or NULL at the end. */
static struct rw_dirent *merged_next(struct merged_dir *m)
{
        lock(m);
        struct rw_dirent *e = rw_dirlist_at(&m->list, m->pos);
        if (e)
                m->pos += e->d_reclen;
        unlock(m);
        return e;
}

PRELOAD_API struct dirent *readdir(DIR *d)
{
        struct merged_dir *m = merged_of(d);

        return likely(!m) ? REAL(readdir)(d) : (struct dirent *)(void *)merged_next(m);
}

#if PRELOAD_GLIBC_ABI
PRELOAD_API struct dirent64 *readdir64(DIR *d)
{
        struct merged_dir *m = merged_of(d);

        return likely(!m) ? REAL(readdir64)(d) : (struct dirent64 *)(void *)merged_next(m);
}
#endif

/* Deprecated, but both C libraries build it on their internal readdir, which never sees a
 * merged listing. */
PRELOAD_API int readdir_r(DIR *d, struct dirent *entry, struct dirent **result)
{
        struct merged_dir *m = merged_of(d);

        if (likely(!m))
                return REAL(readdir_r)(d, entry, result);
        struct rw_dirent *e = merged_next(m);
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

/* POSIX: after rewinddir the stream shows the directory as it is now, so the listing is
 * built again (a name made since opendir appears, a removed one goes). If that fails the
 * stream is at its end. */
PRELOAD_API void rewinddir(DIR *d)
{
        struct merged_dir *m = merged_of(d);
        char abs[PATH_MAX];

        if (m) {
                int saved = errno;
                lock(m);
                rw_dirlist_free(&m->list);
                if (preload_abs_path(dirfd(d), ".", abs, sizeof(abs)) >= 0)
                        rw_dirlist_build_in(&preload_engine, abs, &m->list, slot_buf(m), SMALL_BYTES, NULL);
                m->pos = 0;
                unlock(m);
                errno = saved;
        }
        REAL(rewinddir)(d);
}

/* Positions are byte offsets into the listing (each record's d_off is the next one's). */
PRELOAD_API void seekdir(DIR *d, long pos)
{
        struct merged_dir *m = merged_of(d);

        if (likely(!m)) {
                REAL(seekdir)(d, pos);
                return;
        }
        /* Only a record boundary: a stale or made-up position never lands inside a record. */
        size_t off = 0;
        const struct rw_dirent *e;
        lock(m);
        while ((e = rw_dirlist_at(&m->list, off)) && (long)off < pos)
                off += e->d_reclen;
        m->pos = off;
        unlock(m);
}

PRELOAD_API long telldir(DIR *d)
{
        struct merged_dir *m = merged_of(d);

        if (likely(!m))
                return REAL(telldir)(d);
        lock(m);
        long pos = (long)m->pos;
        unlock(m);
        return pos;
}

PRELOAD_API int closedir(DIR *d)
{
        struct merged_dir *m = merged_of(d);

        if (m)
                unclaim(m);
        return REAL(closedir)(d);
}

/* getdents64 called by the program itself (glibc 2.30+'s getdents64(), musl's getdents()):
 * the C libraries' readdir uses an internal call, so only such programs get here. The fd's
 * own offset carries the position in the merged listing (as the supervisor does for static
 * programs), so a dup of the fd, lseek(fd, 0, SEEK_SET) and a d_off given back to lseek all
 * behave. With a non-empty upper each call pays a readlink of /proc/self/fd/N to learn the
 * directory, and a merged one rebuilds its listing: rare callers, simple state. Returns the
 * bytes, 0 at the end or -errno with *ret_done set; *ret_done is 0 when the kernel answers. */
static long merged_getdents(int fd, void *buf, size_t count, int *ret_done)
{
        char abs[PATH_MAX], small[SMALL_BYTES] __attribute__((aligned(8)));
        struct rw_dirlist l;
        size_t next;

        *ret_done = 0;
        if (preload_off() || !needs_merge(fd, ".", abs))
                return 0;
        if (rw_dirlist_build_in(&preload_engine, abs, &l, small, sizeof(small), NULL) < 0)
                return 0;       /* not a directory, gone...: the kernel says what */
        off_t pos = lseek(fd, 0, SEEK_CUR);
        long n = pos < 0 ? -errno : rw_dirlist_copy(&l, (size_t)pos, buf, count, &next);
        rw_dirlist_free(&l);
        if (n > 0 && lseek(fd, (off_t)next, SEEK_SET) < 0)
                n = -errno;
        *ret_done = 1;
        return n;
}

#if PRELOAD_GLIBC_ABI
DECLARE_REAL_OPT(ssize_t, getdents64, int, void *, size_t);

PRELOAD_API ssize_t getdents64(int fd, void *buf, size_t count)
{
        int done;
        long n = merged_getdents(fd, buf, count, &done);

        if (done)
                return preload_ret((int)n);
        if (likely(REAL_OPT(getdents64) != NULL))
                return real_getdents64(fd, buf, count);
        return RW_SYSCALL(SYS_getdents64, fd, buf, count);
}
#else
DECLARE_REAL(int, getdents, int, struct dirent *, size_t);

/* musl's getdents is getdents64 (its struct dirent is the 64-bit record). */
PRELOAD_API int getdents(int fd, struct dirent *buf, size_t count)
{
        int done;
        long n = merged_getdents(fd, buf, count, &done);

        return done ? preload_ret((int)n) : REAL(getdents)(fd, buf, count);
}
#endif

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
