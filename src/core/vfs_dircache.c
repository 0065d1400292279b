/* A per-process cache of upper directory fds (preload-safe), so a call on a name whose parent
 * the upper holds costs the one real call on (dir fd, leaf) instead of a walk of the upper.
 *
 * Safety: each fd is opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) relative to
 * UPPER/fs, so it names a real directory inside the upper reached without any symlink, as the
 * merged lookup's fast walk (layer.c) would. It stays valid while the upper's structure
 * generation (index.h) is unchanged: every rename, rmdir, whiteout or opaque change of an upper
 * directory bumps it, in any process of any run, and a slot of another generation is refilled.
 *
 * Concurrency without a lock: a slot has a user count; a reader adds one (and backs off when
 * the WRITER bit is set), a filler takes the slot only when no one uses it (0 -> WRITER), so an
 * fd is never closed or replaced under a thread using it. Threads share the cache; fork keeps
 * it (fds are inherited, the child resets the counts); exec drops it (O_CLOEXEC).
 *
 * A slot also remembers whether the lower layer had the directory at all when it was filled: if
 * not, no name below it can be in the lower, so the real attempt of a create, the lower check of
 * an unlink and the lower lookup of a name the upper lacks are answered without a syscall. Like
 * kernel overlayfs, which leaves changes to a lower layer in use undefined, a lower directory
 * made there later is seen from the next generation on (or by a new process).
 *
 * The fds sit at fixed high numbers (floor + slot, below 1024 so select() users are not hurt)
 * where a program never gets an fd by the kernel's lowest-free rule; close/dup2/close_range
 * wrappers (preload) keep a program from closing or replacing them (rw_dircache_owns). */
#include "core/vfs.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/resource.h>

#include "core/sys.h"

#define SLOTS     64
#define DIR_MAX   256            /* longer directories are not cached (the slow walk serves them) */
#define WRITER    (1 << 30)
#define FD_TOP    1024           /* our fds stay below FD_SETSIZE */

struct slot {
        _Atomic int users;
        _Atomic int fd1;         /* the fd + 1; 0: empty (so the zeroed array starts empty) */
        uint32_t gen;
        uint32_t len;
        int lower_absent;        /* the lower had no such directory when the slot was filled */
        dev_t dev;               /* of the directory: an fd is closed only while it is still ours */
        ino_t ino;
        uint64_t hash;
        char dir[DIR_MAX];
};

static struct slot slots[SLOTS];
static _Atomic int fd_floor;     /* 0: not yet chosen; -1: no cache (low fd limit) */
static _Atomic int root_fd = -1; /* UPPER/fs, O_PATH, at fd_floor + SLOTS */

static uint64_t dir_hash(const char *s, size_t n)
{
        uint64_t h = 0xcbf29ce484222325ull;

        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
        return h;
}

/* Chooses where our fds live, once: the top of the fd range below min(RLIMIT_NOFILE, 1024). */
static int floor_fd(void)
{
        int f = atomic_load_explicit(&fd_floor, memory_order_acquire);
        struct rlimit rl;

        if (f != 0)
                return f;
        if (RW_SYSCALL(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) < 0 || rl.rlim_cur < 256)
                f = -1;   /* too few fds to set any aside: every call takes the slow walk */
        else
                f = (int)(rl.rlim_cur < FD_TOP ? rl.rlim_cur : FD_TOP) - SLOTS - 1 - 16;
        int expected = 0;
        atomic_compare_exchange_strong(&fd_floor, &expected, f);
        return atomic_load(&fd_floor);
}

/* Moves fd to exactly want (F_DUPFD_CLOEXEC gives the lowest free number >= want): the fd, or
 * -1 when a program already holds that number (then nothing is cached there). */
static int move_fd(int fd, int want)
{
        int high = (int)rw_sysret(RW_SYSCALL(SYS_fcntl, fd, F_DUPFD_CLOEXEC, want));

        rw_close(fd);
        if (high >= 0 && high != want) {
                rw_close(high);
                return -1;
        }
        return high < 0 ? -1 : high;
}

static int upper_root(const struct rw_engine *e, int floor)
{
        int fd = atomic_load_explicit(&root_fd, memory_order_acquire);

        if (fd >= 0)
                return fd;
        fd = rw_openat(AT_FDCWD, e->upper.fs, O_PATH | O_DIRECTORY, 0);
        if (fd < 0)
                return -1;
        fd = move_fd(fd, floor + SLOTS);
        if (fd < 0)
                return -1;
        int expected = -1;
        if (!atomic_compare_exchange_strong(&root_fd, &expected, fd)) {
                rw_close(fd);   /* another thread won: its fd is the one at that number */
                return expected;
        }
        return fd;
}

/* Opens UPPER/fs<dir[0..len)> beneath the upper's root, through no symlink. -1 if it is not
 * there (or openat2 is missing, before Linux 5.6: the slow walk then serves every call). */
static int open_dir(const struct rw_engine *e, int floor, const char *dir, size_t len, int want)
{
        char rel[DIR_MAX];
        struct open_how how = {
                .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        int root = upper_root(e, floor);

        if (root < 0 || len < 2)
                return -1;
        memcpy(rel, dir + 1, len - 1);
        rel[len - 1] = '\0';
        int fd = rw_openat2(root, rel, &how);
        return fd < 0 ? -1 : move_fd(fd, want);
}

/* Fills slot s (held as WRITER) for dir; returns 1 with ref set (the slot then counts us as a
 * user), 0 when dir cannot be cached. Releases the WRITER bit either way. */
static int fill(const struct rw_engine *e, struct slot *s, int idx, const char *dir, size_t len,
                uint64_t h, uint32_t gen, struct rw_dirref *ref)
{
        int floor = floor_fd();
        int old = atomic_load_explicit(&s->fd1, memory_order_relaxed) - 1;
        struct stat st;

        if (old >= 0) {
                /* A program that closed it behind our back (no close wrapper: a raw syscall) may
                 * hold that number now: close it only if it is still our directory. */
                atomic_store_explicit(&s->fd1, 0, memory_order_relaxed);
                if (rw_fstatat(old, "", &st, AT_EMPTY_PATH) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
                        rw_close(old);
        }
        int fd = open_dir(e, floor, dir, len, floor + idx);
        if (fd >= 0 && rw_fstatat(fd, "", &st, AT_EMPTY_PATH) < 0) {
                rw_close(fd);
                fd = -1;
        }
        if (fd >= 0) {
                s->dev = st.st_dev;
                s->ino = st.st_ino;
                memcpy(s->dir, dir, len);
                s->dir[len] = '\0';
                s->lower_absent = rw_fstatat(AT_FDCWD, s->dir, &st, AT_SYMLINK_NOFOLLOW) == -ENOENT;
                ref->lower_absent = s->lower_absent;
                s->len = (uint32_t)len;
                s->hash = h;
                s->gen = gen;
                atomic_store_explicit(&s->fd1, fd + 1, memory_order_relaxed);
                atomic_fetch_add_explicit(&s->users, 1, memory_order_relaxed);
                ref->fd = fd;
                ref->slot = idx;
                ref->gen = gen;
        }
        atomic_fetch_sub_explicit(&s->users, WRITER, memory_order_release);
        return fd >= 0;
}

int rw_dircache_get(const struct rw_engine *e, const char *abs, struct rw_dirref *ref)
{
        const struct rw_index *index = e->upper.index;
        const char *slash = strrchr(abs, '/');
        size_t len;

        if (!index || !slash || slash == abs || !slash[1] || floor_fd() < 0)
                return 0;
        len = (size_t)(slash - abs);
        if (len >= DIR_MAX)
                return 0;
        ref->leaf = slash + 1;
        uint64_t h = dir_hash(abs, len);
        int idx = (int)(h % SLOTS);
        struct slot *s = &slots[idx];
        uint32_t gen = rw_index_generation(index);
        int seen = atomic_fetch_add_explicit(&s->users, 1, memory_order_acquire);

        if (!(seen & WRITER)) {
                int fd = atomic_load_explicit(&s->fd1, memory_order_relaxed) - 1;
                if (fd >= 0 && s->gen == gen && s->hash == h && s->len == len && memcmp(s->dir, abs, len) == 0) {
                        ref->fd = fd;
                        ref->slot = idx;
                        ref->gen = gen;
                        ref->lower_absent = s->lower_absent;
                        return 1;
                }
        }
        atomic_fetch_sub_explicit(&s->users, 1, memory_order_release);
        int zero = 0;
        if (!atomic_compare_exchange_strong_explicit(&s->users, &zero, WRITER, memory_order_acquire,
                                                     memory_order_relaxed))
                return 0;   /* in use by another thread: this call takes the slow walk */
        return fill(e, s, idx, abs, len, h, gen, ref);
}

int rw_dircache_put(const struct rw_engine *e, struct rw_dirref *ref)
{
        atomic_fetch_sub_explicit(&slots[ref->slot].users, 1, memory_order_release);
        return rw_index_generation(e->upper.index) == ref->gen;
}

void rw_dircache_drop(struct rw_dirref *ref)
{
        struct slot *s = &slots[ref->slot];

        /* The fd failed (a program closed it behind our back, e.g. by a raw syscall): forget
         * it without closing, as its number may be the program's now. Only when no one else
         * uses the slot; otherwise the next filler replaces it. */
        int one = 1;
        if (atomic_compare_exchange_strong(&s->users, &one, WRITER)) {
                if (atomic_load(&s->fd1) == ref->fd + 1)
                        atomic_store(&s->fd1, 0);
                atomic_fetch_sub(&s->users, WRITER);
                return;
        }
        atomic_fetch_sub_explicit(&s->users, 1, memory_order_release);
}

int rw_dircache_owns(int fd)
{
        int floor = atomic_load_explicit(&fd_floor, memory_order_relaxed);

        if (floor <= 0 || fd < floor || fd > floor + SLOTS)
                return 0;
        if (fd == floor + SLOTS)
                return atomic_load_explicit(&root_fd, memory_order_relaxed) == fd;
        return atomic_load_explicit(&slots[fd - floor].fd1, memory_order_relaxed) == fd + 1;
}

int rw_dircache_range(int *ret_first, int *ret_last)
{
        int floor = atomic_load_explicit(&fd_floor, memory_order_relaxed);

        if (floor <= 0)
                return 0;
        *ret_first = floor;
        *ret_last = floor + SLOTS;
        return 1;
}

void rw_dircache_forget(int fd)
{
        if (!rw_dircache_owns(fd))
                return;
        int floor = atomic_load(&fd_floor);
        if (fd == floor + SLOTS) {
                atomic_store(&root_fd, -1);
                return;
        }
        struct slot *s = &slots[fd - floor];
        /* The program replaces this number (dup2 onto it): wait for users to finish, so none
         * of them meets the program's file under our fd number. They hold it for one syscall. */
        for (;;) {
                int zero = 0;
                if (atomic_compare_exchange_weak(&s->users, &zero, WRITER))
                        break;
                RW_SYSCALL(SYS_sched_yield);
        }
        atomic_store(&s->fd1, 0);
        atomic_fetch_sub(&s->users, WRITER);
}

void rw_dircache_after_fork(void)
{
        /* Only the forking thread lives on: nobody uses a slot. A slot a filler held at the
         * fork may be half written: empty it (its fd, if open, is leaked; it is close-on-exec). */
        for (int i = 0; i < SLOTS; i++) {
                if (atomic_load(&slots[i].users) & WRITER)
                        atomic_store(&slots[i].fd1, 0);
                atomic_store(&slots[i].users, 0);
        }
}
