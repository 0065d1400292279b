/* The preload's constructor, configuration and shared helpers. */
#include "preload/state.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/elf_probe.h"
#include "core/path.h"
#include "core/sys.h"
#include "core/upper_attach.h"
#include "core/vfs.h"
#include "preload/env.h"
#include "preload/nsswitch_sync.h"
#include "preload/wrap_time.h"

struct rw_engine preload_engine;
int preload_events_fd = -1;
int preload_record_all;
__thread int preload_busy;

/* Two buffers so a reader in another thread never sees a half-written cwd. */
static char cwd_buf[2][PATH_MAX];
static _Atomic int cwd_current;
static _Atomic unsigned cwd_generation;   /* bumped on every change of the cwd */
static _Atomic unsigned dirs_moved;       /* bumped by this process's renames and rmdirs */

/* The index state of the cwd, per thread: relative paths are then hashed from there. */
static __thread struct {
        unsigned generation;
        int valid;
        struct rw_index_prefix prefix;
} cwd_query;

#define EVENTS_FD_MIN 900     /* out of the way of programs that dup2 onto low fds */

void *preload_real(const char *name)
{
        return dlsym(RTLD_NEXT, name);
}

/* The cwd is read lazily: chdir only marks it stale, so a pass-through chdir costs no
 * getcwd, and a process that never resolves a relative path never asks. */
static _Atomic int cwd_stale = 1;

static void refresh_cwd(void)
{
        char real[PATH_MAX];
        int next = !atomic_load(&cwd_current);
        long n;

        atomic_store(&cwd_stale, 0);   /* before reading: a chdir racing with us marks it again */
        n = RW_SYSCALL(SYS_getcwd, real, sizeof(real));
        if (n <= 0 || real[0] != '/')
                return;
        if (rw_upper_to_virtual(&preload_engine.upper, real, cwd_buf[next], PATH_MAX) != 1)
                memcpy(cwd_buf[next], real, strlen(real) + 1);
        atomic_store_explicit(&cwd_current, next, memory_order_release);
        atomic_fetch_add(&cwd_generation, 1);
}

const char *preload_cwd(void)
{
        if (atomic_load_explicit(&cwd_stale, memory_order_acquire))
                refresh_cwd();
        return cwd_buf[atomic_load_explicit(&cwd_current, memory_order_acquire)];
}

void preload_cwd_changed(void)
{
        atomic_store_explicit(&cwd_stale, 1, memory_order_release);
        atomic_fetch_add(&cwd_generation, 1);
}

void preload_dirs_moved(void)
{
        atomic_fetch_add_explicit(&dirs_moved, 1, memory_order_release);
}

/* Where dirfd is, as the kernel says: a readlink of /proc/self/fd/N, the upper prefix undone.
 * Writes it to buf (PATH_MAX); NULL with *err set when dirfd names nothing. */
static const char *ask_kernel_where(int dirfd, char *buf, int *err)
{
        char proc[32] = "/proc/self/fd/", digits[12], real[PATH_MAX];
        int k = 0, v = dirfd;
        size_t plen = strlen(proc);

        do { digits[k++] = (char)('0' + v % 10); v /= 10; } while (v);
        while (k)
                proc[plen++] = digits[--k];
        proc[plen] = '\0';
        ssize_t n = rw_readlinkat(AT_FDCWD, proc, real, sizeof(real) - 1);
        if (n <= 0 || real[0] != '/') {
                *err = n < 0 ? (int)n : -EBADF;
                return NULL;
        }
        real[n] = '\0';
        if (rw_upper_to_virtual(&preload_engine.upper, real, buf, PATH_MAX) == 1)
                return buf;
        memcpy(buf, real, (size_t)n + 1);
        return buf;
}

/* The directory a dirfd names, remembered per thread: asking the kernel costs a walk of /proc
 * and a d_path, and `*at` programs (tar, rm -r, find) make thousands of calls on one dirfd. An
 * fstat (a tenth of that) checks that the fd still is the same directory (dev, inode), so a
 * closed and reused fd is never misnamed; a rename or rmdir made by this process or in the upper
 * (the index's generation) forgets the name. A directory renamed for real by another process
 * while this one holds an fd on it keeps its old name here, as the cwd does. */
#define DIRFD_NAME_MAX 1024
static __thread struct {
        int fd;
        dev_t dev;
        ino_t ino;
        unsigned moved;
        uint32_t generation;
        size_t len;
        char path[DIRFD_NAME_MAX];
} dirfd_name = { .fd = -1 };

static const char *dirfd_base(int dirfd, char *buf, int *err)
{
        unsigned moved = atomic_load_explicit(&dirs_moved, memory_order_acquire);
        uint32_t gen = rw_index_generation(preload_engine.upper.index);
        struct stat st;

        if (rw_fstatat(dirfd, "", &st, AT_EMPTY_PATH) < 0)
                return ask_kernel_where(dirfd, buf, err);
        if (dirfd_name.fd == dirfd && dirfd_name.dev == st.st_dev && dirfd_name.ino == st.st_ino &&
            dirfd_name.moved == moved && dirfd_name.generation == gen) {
                /* copied out: a signal handler's own call may refill the cache meanwhile */
                memcpy(buf, dirfd_name.path, dirfd_name.len + 1);
                return buf;
        }
        const char *base = ask_kernel_where(dirfd, buf, err);
        size_t n = base ? strlen(base) : 0;
        if (base && S_ISDIR(st.st_mode) && n < sizeof(dirfd_name.path)) {
                memcpy(dirfd_name.path, base, n + 1);
                dirfd_name.len = n;
                dirfd_name.fd = dirfd;
                dirfd_name.dev = st.st_dev;
                dirfd_name.ino = st.st_ino;
                dirfd_name.moved = moved;
                dirfd_name.generation = gen;
        }
        return base;
}

/* The directory a relative path starts from, in the merged view: the cwd, or where dirfd is.
 * Returns the cwd's buffer or buf (PATH_MAX); NULL with *err set when dirfd
 * names nothing. */
static const char *base_of(int dirfd, char *buf, int *err)
{
        if (dirfd == AT_FDCWD)
                return preload_cwd();
        if (dirfd < 0) {
                *err = -EBADF;
                return NULL;
        }
        return dirfd_base(dirfd, buf, err);
}

int preload_abs_path(int dirfd, const char *path, char *out, size_t size)
{
        char buf[PATH_MAX];
        const char *base;
        int err = 0;

        if (!path)
                return -EFAULT;
        if (path[0] == '/')
                return rw_path_normalize(NULL, path, out, size);
        base = base_of(dirfd, buf, &err);
        return base ? rw_path_normalize(base, path, out, size) : err;
}

/* A relative path whose components are all plain names (no "", "." or ".."): it names
 * cwd + "/" + path exactly, so the cwd's index state can be reused. */
static int plain_relative(const char *path)
{
        const char *c = path;

        if (!*path || *path == '/')
                return 0;
        for (;;) {
                const char *end = c;
                while (*end && *end != '/')
                        end++;
                size_t n = (size_t)(end - c);
                if (n == 0 || (c[0] == '.' && (n == 1 || (n == 2 && c[1] == '.'))))
                        return 0;
                if (!*end)
                        return 1;
                c = end + 1;
        }
}

int preload_query(int dirfd, const char *path, char *abs, size_t size)
{
        const struct rw_index *idx = preload_engine.upper.index;

        if (dirfd == AT_FDCWD && path && plain_relative(path)) {
                unsigned generation = atomic_load_explicit(&cwd_generation, memory_order_acquire);

                if (!cwd_query.valid || cwd_query.generation != generation ||
                    !rw_index_prefix_fresh(idx, &cwd_query.prefix)) {
                        rw_index_prefix_of(idx, preload_cwd(), &cwd_query.prefix);
                        cwd_query.generation = generation;
                        cwd_query.valid = 1;
                }
                int q = rw_index_query_below(idx, &cwd_query.prefix, path);
                if (!q)
                        return 0;   /* the common case: no normalisation, no cwd re-hash */
                return preload_abs_path(dirfd, path, abs, size) < 0 ? 0 : q;
        }
        if (preload_abs_path(dirfd, path, abs, size) < 0)
                return 0;
        int q = rw_index_query(idx, abs);
        if (!(q & RW_INDEX_UNDER) && strstr(path, "..")) {
                /* "new/.." needs the merged view when only the upper has new. */
                char buf[PATH_MAX];
                int err;
                const char *base = path[0] == '/' ? NULL : base_of(dirfd, buf, &err);
                if (base || path[0] == '/')
                        q |= rw_index_query_climbed(idx, base, path);
                /* A leading ".." climbs out of the base itself: when the upper holds the base,
                 * the kernel would climb inside the upper and miss the lower's names. */
                if (base && path[0] == '.' && path[1] == '.' && (path[2] == '/' || !path[2]))
                        q |= rw_index_query(idx, base) & RW_INDEX_UNDER;
        }
        return q;
}

static void copy_env(char *dst, size_t size, const char *name)
{
        const char *v = getenv(name);

        dst[0] = '\0';
        if (v && strlen(v) < size)
                memcpy(dst, v, strlen(v) + 1);
}

void preload_warn(const char *what, const char *path, int err)
{
        char msg[PATH_MAX + 256];
        size_t n = 0;
        const char *parts[] = { "rwshim: ", what, ": ", path, ": ", strerror(err), "\n" };

        for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
                size_t l = strlen(parts[i]);
                if (n + l < sizeof(msg)) {
                        memcpy(msg + n, parts[i], l);
                        n += l;
                }
        }
        rw_write(2, msg, n);
}

static int setup_upper(struct rw_upper *u)
{
        char root[PATH_MAX];

        copy_env(root, sizeof(root), "RWSHIM_UPPER");
        memcpy(u->root, root, sizeof(u->root));   /* for the warning when attaching fails */
        return rw_upper_attach(u, root);
}

static void open_events(void)
{
        char path[PATH_MAX];
        int fd;

        copy_env(path, sizeof(path), "RWSHIM_EVENTS");
        if (!path[0])
                return;
        fd = rw_openat(AT_FDCWD, path, O_WRONLY | O_APPEND | O_CREAT, 0600);
        if (fd < 0) {
                preload_warn("cannot open event file", path, -fd);
                return;
        }
        int high = (int)RW_SYSCALL(SYS_fcntl, fd, F_DUPFD_CLOEXEC, EVENTS_FD_MIN);
        if (high >= 0) {
                rw_close(fd);
                fd = high;
        }
        preload_events_fd = fd;
}

static char **saved_argv;

/* musl runs constructors without arguments (glibc passes argc, argv, envp), and a setup made
 * early has none either: the argv of the proc record is then read from /proc/self/cmdline,
 * once, into static memory. */
static char cmdline_buf[16384];
static char *cmdline_argv[512];

static char **cmdline_args(void)
{
        int fd = rw_openat(AT_FDCWD, "/proc/self/cmdline", O_RDONLY, 0);
        size_t len = 0, n = 0;
        ssize_t r;

        if (fd < 0)
                return NULL;
        while (len < sizeof(cmdline_buf) - 1 &&
               (r = rw_read(fd, cmdline_buf + len, sizeof(cmdline_buf) - 1 - len)) > 0)
                len += (size_t)r;
        rw_close(fd);
        cmdline_buf[len] = '\0';
        for (size_t i = 0; i < len && n < sizeof(cmdline_argv) / sizeof(cmdline_argv[0]) - 1;
             i += strlen(cmdline_buf + i) + 1)
                cmdline_argv[n++] = cmdline_buf + i;
        cmdline_argv[n] = NULL;
        return cmdline_argv;
}

static void record_process(int argc, char **argv)
{
        char buf[16384], exe[PATH_MAX];
        ssize_t n = rw_readlinkat(AT_FDCWD, "/proc/self/exe", exe, sizeof(exe) - 1);
        int len;

        (void)argc;
        exe[n > 0 ? n : 0] = '\0';
        len = rw_event_format_proc(buf, sizeof(buf), (pid_t)RW_SYSCALL(SYS_getpid),
                                   (pid_t)RW_SYSCALL(SYS_getppid), exe, argv);
        if (len > 0)
                rw_write(preload_events_fd, buf, (size_t)len);
}

/* A forked child is a new process of the trace: it gets its own proc record (with ppid). */
static void fork_child(void)
{
        preload_events_after_fork();
        rw_dircache_after_fork();
        if (preload_engine.mode != RW_MODE_RUN)
                record_process(0, saved_argv);
}

static enum rw_mode parse_mode(const char *m)
{
        if (!m)
                return RW_MODE_OFF;
        if (strcmp(m, "run") == 0)
                return RW_MODE_RUN;
        if (strcmp(m, "trace") == 0)
                return RW_MODE_TRACE;
        if (strcmp(m, "check") == 0)
                return RW_MODE_CHECK;
        return RW_MODE_OFF;
}

int preload_ready;

/* Reads the configuration once: from our constructor, or earlier, from the first wrapper a
 * constructor of another library calls (glibc runs those before a preload's own; musl does
 * not). argv is NULL then, and under musl, whose constructors get no arguments. */
static void preload_setup(int argc, char **argv)
{
        enum rw_mode mode;
        int r;

        if (preload_ready)
                return;
        preload_ready = 1;
        mode = parse_mode(getenv("RWSHIM_MODE"));

        /* A Go program (cgo) makes its file calls with raw syscalls: the supervisor serves it
         * whole, so the preload stays inert in it (docs/design.md, "Which backend"). */
        if (mode == RW_MODE_OFF || rw_self_is_go())
                return;
        preload_busy = 1;
        preload_env_save();
        copy_env(preload_engine.only, sizeof(preload_engine.only), "RWSHIM_ONLY");
        copy_env(preload_engine.exclude, sizeof(preload_engine.exclude), "RWSHIM_EXCLUDE");
        preload_record_all = getenv("RWSHIM_ALL") && strcmp(getenv("RWSHIM_ALL"), "1") == 0;
        if (mode == RW_MODE_RUN && (r = setup_upper(&preload_engine.upper)) < 0) {
                preload_warn("cannot use upper dir, writes will not be redirected", preload_engine.upper.root, -r);
                mode = RW_MODE_OFF;
        }
        open_events();
        /* A child keeps the parent's upper directory fds (vfs_dircache.c) but not its threads. */
        if (preload_events_fd >= 0 || mode == RW_MODE_RUN)
                pthread_atfork(NULL, NULL, fork_child);
        if (preload_events_fd >= 0) {
                if (!argv) {
                        argc = 0;
                        argv = cmdline_args();
                }
                saved_argv = argv;
                if (mode != RW_MODE_RUN)
                        record_process(argc, argv);
        }
        preload_engine.mode = mode;
        preload_busy = 0;
        if (mode == RW_MODE_RUN) {
                preload_tz_init();
                preload_nsswitch_init();
        }
}

void preload_setup_early(void)
{
        if (!preload_busy)
                preload_setup(0, NULL);
}

__attribute__((constructor)) static void preload_init(int argc, char **argv)
{
#if PRELOAD_GLIBC_ABI
        preload_setup(argc, argv);
#else
        (void)argc;
        (void)argv;
        preload_setup(0, NULL);   /* the registers hold no arguments under musl */
#endif
}
