/* One notified file call of a static program, decoded and answered; see notify_ops.h.
 *
 * The supervisor runs as the same user as the program, so a call it performs on the program's
 * behalf meets the same permissions. Calls that cannot involve the upper go back to the kernel
 * untouched (SUP_CONTINUE): lookups of paths the index has never seen, and opens for writing
 * that the kernel will allow. The rest goes through the same core vfs functions the preload
 * uses, with the program's umask, so both backends give one merged view. */
#include "supervisor/notify_ops.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>

#include "core/dirlist.h"
#include "core/layer.h"
#include "core/path.h"
#include "core/vfs.h"
#include "supervisor/notify_dirents.h"
#include "supervisor/notify_domain.h"
#include "supervisor/notify_socket.h"
#include "supervisor/notify_virtual.h"
#include "supervisor/ptrace_proc.h"

enum kind {
        K_NONE, K_OPEN, K_OPENAT2, K_STAT, K_STATX, K_ACCESS, K_READLINK, K_MKDIR, K_UNLINK,
        K_RENAME, K_LINK, K_SYMLINK, K_CHMOD, K_CHOWN, K_TRUNCATE, K_UTIMENS, K_UTIMES, K_UTIME,
        K_MKNOD, K_GETDENTS, K_CHDIR, K_EXEC, K_GETCWD, K_BIND, K_CONNECT, K_SOCKNAME,
};

/* A call's arguments, by role. */
struct call {
        enum kind kind;
        int dirfd, dirfd2;
        uint64_t path, path2;       /* addresses in the caller; path2 is symlink's target text */
        long flags, mode;
        uint64_t buf;               /* stat/statx/readlink/getdents buffer, utime times, open_how */
        long size;                  /* readlink/getdents size, statx mask, truncate length */
        uid_t uid;
        gid_t gid;
        uint64_t argv, envp;        /* exec */
        dev_t dev;                  /* mknod */
        long nr;                    /* the call as notified */
        /* Filled by read_paths: */
        const char *text;           /* the path the caller passed, as read (in text_buf) */
        size_t path_len;            /* its strlen */
        int base_in_upper;          /* a relative path the kernel would resolve inside the upper */
        int slash;                  /* the path ends in '/': it must name a directory */
        char text_buf[PATH_MAX];
};

/* The role of each argument: K(kind, dirfd, path) then the rest by name. */
#define K(kind_, dirfd_, path_) .kind = (kind_), .dirfd = (dirfd_), .path = (path_)
#define SET(...) (*c = (struct call){ __VA_ARGS__ })
#define CWD AT_FDCWD
#define A(i) ((uint64_t)n->data.args[i])
#define I(i) ((int)n->data.args[i])
#define L(i) ((long)n->data.args[i])

static void decode_paths(const struct seccomp_notif *n, struct call *c)
{
        switch (n->data.nr) {
#ifdef SYS_open
        case SYS_open: SET(K(K_OPEN, CWD, A(0)), .flags = L(1), .mode = L(2)); break;
        case SYS_creat: SET(K(K_OPEN, CWD, A(0)), .flags = O_CREAT | O_WRONLY | O_TRUNC, .mode = L(1)); break;
        case SYS_stat: SET(K(K_STAT, CWD, A(0)), .buf = A(1)); break;
        case SYS_lstat: SET(K(K_STAT, CWD, A(0)), .flags = AT_SYMLINK_NOFOLLOW, .buf = A(1)); break;
        case SYS_access: SET(K(K_ACCESS, CWD, A(0)), .mode = L(1)); break;
        case SYS_readlink: SET(K(K_READLINK, CWD, A(0)), .buf = A(1), .size = L(2)); break;
        case SYS_mkdir: SET(K(K_MKDIR, CWD, A(0)), .mode = L(1)); break;
        case SYS_unlink: SET(K(K_UNLINK, CWD, A(0))); break;
        case SYS_rmdir: SET(K(K_UNLINK, CWD, A(0)), .flags = AT_REMOVEDIR); break;
        case SYS_rename: SET(K(K_RENAME, CWD, A(0)), .dirfd2 = CWD, .path2 = A(1)); break;
        case SYS_link: SET(K(K_LINK, CWD, A(0)), .dirfd2 = CWD, .path2 = A(1)); break;
        case SYS_symlink: SET(K(K_SYMLINK, CWD, A(1)), .path2 = A(0)); break;
        case SYS_chmod: SET(K(K_CHMOD, CWD, A(0)), .mode = L(1)); break;
        case SYS_chown: SET(K(K_CHOWN, CWD, A(0)), .uid = (uid_t)A(1), .gid = (gid_t)A(2)); break;
        case SYS_lchown:
                SET(K(K_CHOWN, CWD, A(0)), .flags = AT_SYMLINK_NOFOLLOW, .uid = (uid_t)A(1), .gid = (gid_t)A(2));
                break;
        case SYS_utime: SET(K(K_UTIME, CWD, A(0)), .buf = A(1)); break;
        case SYS_utimes: SET(K(K_UTIMES, CWD, A(0)), .buf = A(1)); break;
        case SYS_futimesat: SET(K(K_UTIMES, I(0), A(1)), .buf = A(2)); break;
        case SYS_mknod: SET(K(K_MKNOD, CWD, A(0)), .mode = L(1), .dev = (dev_t)A(2)); break;
#endif
        case SYS_openat: SET(K(K_OPEN, I(0), A(1)), .flags = L(2), .mode = L(3)); break;
        case SYS_openat2: SET(K(K_OPENAT2, I(0), A(1)), .buf = A(2), .size = L(3)); break;
        case SYS_newfstatat: SET(K(K_STAT, I(0), A(1)), .flags = L(3), .buf = A(2)); break;
        case SYS_statx: SET(K(K_STATX, I(0), A(1)), .flags = L(2), .buf = A(4), .size = L(3)); break;
        case SYS_faccessat: SET(K(K_ACCESS, I(0), A(1)), .mode = L(2)); break;
        case SYS_faccessat2: SET(K(K_ACCESS, I(0), A(1)), .flags = L(3), .mode = L(2)); break;
        case SYS_readlinkat: SET(K(K_READLINK, I(0), A(1)), .buf = A(2), .size = L(3)); break;
        case SYS_mkdirat: SET(K(K_MKDIR, I(0), A(1)), .mode = L(2)); break;
        case SYS_unlinkat: SET(K(K_UNLINK, I(0), A(1)), .flags = L(2)); break;
        case SYS_renameat: SET(K(K_RENAME, I(0), A(1)), .dirfd2 = I(2), .path2 = A(3)); break;
        case SYS_renameat2: SET(K(K_RENAME, I(0), A(1)), .dirfd2 = I(2), .path2 = A(3), .flags = L(4)); break;
        case SYS_linkat: SET(K(K_LINK, I(0), A(1)), .dirfd2 = I(2), .path2 = A(3), .flags = L(4)); break;
        case SYS_symlinkat: SET(K(K_SYMLINK, I(1), A(2)), .path2 = A(0)); break;
        case SYS_fchmodat: SET(K(K_CHMOD, I(0), A(1)), .mode = L(2)); break;
        case SYS_fchownat:
                SET(K(K_CHOWN, I(0), A(1)), .flags = L(4), .uid = (uid_t)A(2), .gid = (gid_t)A(3));
                break;
        case SYS_truncate: SET(K(K_TRUNCATE, CWD, A(0)), .size = L(1)); break;
        case SYS_utimensat: SET(K(K_UTIMENS, I(0), A(1)), .flags = L(3), .buf = A(2)); break;
        case SYS_getdents64: SET(K(K_GETDENTS, I(0), 0), .buf = A(1), .size = L(2)); break;
        case SYS_chdir: SET(K(K_CHDIR, CWD, A(0))); break;
        case SYS_execve: SET(K(K_EXEC, CWD, A(0)), .argv = A(1), .envp = A(2)); break;
        case SYS_getcwd: SET(K(K_GETCWD, CWD, 0), .buf = A(0), .size = L(1)); break;
        case SYS_bind: SET(K(K_BIND, I(0), 0), .buf = A(1), .size = L(2)); break;
        case SYS_connect: SET(K(K_CONNECT, I(0), 0), .buf = A(1), .size = L(2)); break;
        case SYS_getsockname: SET(K(K_SOCKNAME, I(0), 0), .buf = A(1), .argv = A(2)); break;
        case SYS_getpeername: SET(K(K_SOCKNAME, I(0), 0), .buf = A(1), .argv = A(2), .flags = 1); break;
        case SYS_mknodat: SET(K(K_MKNOD, I(0), A(1)), .mode = L(2), .dev = (dev_t)A(3)); break;
        case SYS_execveat: SET(K(K_EXEC, I(0), A(1)), .argv = A(2), .envp = A(3), .flags = L(4)); break;
        default: c->kind = K_NONE; break;
        }
        c->nr = (long)n->data.nr;
}

static int wants_write(long flags)
{
        return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_CREAT));
}

/* Devices, FIFOs and sockets pass through to the kernel: opening one here could block the
 * supervisor (a FIFO without a reader) or give the program a different object (a tty), and
 * none of them is ever copied up. */
static int is_special(const char *abs, long flags)
{
        struct stat st;

        if (fstatat(AT_FDCWD, abs, &st, (flags & O_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0) < 0)
                return 0;
        return !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode);
}

static void answer(struct sup_answer *a, long r)
{
        a->kind = SUP_RETURN;
        a->value = r;
}

static void give_fd(struct sup_answer *a, int fd, long flags)
{
        if (fd < 0) {
                answer(a, fd);
                return;
        }
        a->kind = SUP_GIVE_FD;
        a->fd = fd;
        a->fd_flags = (flags & O_CLOEXEC) ? O_CLOEXEC : 0;
}

/* Creations run with the caller's umask: files the supervisor creates get the modes the
 * program would have got. */
static int open_as_caller(const struct rw_engine *e, struct sup_caller *c, const char *abs,
                          long flags, long mode)
{
        mode_t old = umask(sup_caller_umask(c));
        int fd = rw_vfs_open(e, abs, (int)flags | O_CLOEXEC, (mode_t)mode);

        umask(old);
        return fd;
}

/* 1 when the merged view has a name at abs: mkdir then fails with EEXIST, whatever the
 * permissions (the kernel puts EEXIST first), and the caller's umask need not be read. */
static int merged_exists(const struct rw_engine *e, const char *abs)
{
        struct rw_where w __attribute__((cleanup(rw_where_release))) = { .parent_fd = -1 };
        struct stat st;

        if (rw_layer_lookup(&e->upper, abs, 0, &w) < 0)
                return 0;
        return w.kind == RW_UPPER || (w.kind == RW_LOWER && fstatat(AT_FDCWD, w.path, &st, AT_SYMLINK_NOFOLLOW) == 0);
}

static int mkdir_as_caller(const struct rw_engine *e, struct sup_caller *c, const char *abs, long mode)
{
        if (merged_exists(e, abs))
                return -EEXIST;
        mode_t old = umask(sup_caller_umask(c));
        int r = rw_vfs_mkdir(e, abs, (mode_t)mode);

        umask(old);
        return r;
}

/* 1 when the kernel, given the caller's own arguments, lands on real: the caller's path, from
 * the directory the kernel starts at (upper or not), is real lexically. Then the call can go
 * back to the kernel unchanged (a chdir or exec inside a cwd in the upper, a FIFO there). */
static int kernel_reaches(struct sup_caller *c, const struct call *k, const char *real)
{
        char base[PATH_MAX], joined[PATH_MAX];

        if (strstr(k->text, ".."))
                return 0;   /* ".." climbs the upper's partial tree, not the merged one */
        if (k->text[0] != '/' && sup_caller_real_base(c, k->dirfd, base, sizeof(base)) < 0)
                return 0;
        return rw_path_normalize(k->text[0] == '/' ? NULL : base, k->text, joined, sizeof(joined)) >= 0 &&
               strcmp(joined, real) == 0;
}

/* The thread is made to run nr(args) on fd (ours) instead; see notify_reissue.h. fd is no
 * O_PATH fd: ADDFD cannot install one. */
static void reissue(struct sup_answer *a, const struct call *k, int fd, long nr, const unsigned long args[6])
{
        if (fd < 0) {
                answer(a, -errno);
                return;
        }
        a->kind = SUP_REISSUE;
        a->reissue = (struct sup_reissue){ .orig_nr = k->nr, .nr = nr, .fd = fd };
        memcpy(a->reissue.args, args, sizeof(a->reissue.args));
        a->fallback = SUP_CONTINUE;
}

/* chdir into the merged view: the kernel's cwd becomes the real directory (the upper copy
 * when the upper holds it), through fchdir of an fd of it, so children inherit it and exec
 * keeps it; relative paths from there are then resolved in the merged view (read_paths). */
static void do_chdir(const struct rw_engine *e, struct sup_caller *c, const struct call *k, const char *abs, struct sup_answer *a)
{
        char real[PATH_MAX];
        int r = rw_vfs_real_path(e, abs, 1, real, sizeof(real));

        if (r < 0) {
                answer(a, r);
                return;
        }
        if (kernel_reaches(c, k, real))
                return;
        const unsigned long args[6] = { SUP_REISSUE_FD };
        reissue(a, k, open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC), SYS_fchdir, args);
}

/* "#!": the interpreter gets /dev/fd/N as the script's name and opens it, so N must survive. */
static int is_script(const char *real)
{
        char magic[2];
        int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        ssize_t n = fd < 0 ? -1 : pread(fd, magic, sizeof(magic), 0);

        if (fd >= 0)
                close(fd);
        return n == 2 && magic[0] == '#' && magic[1] == '!';
}

/* exec of a program the kernel cannot find by the caller's path: execveat(N, "", argv, envp,
 * AT_EMPTY_PATH), where "" is the NUL that ends the caller's own path string. */
static void do_exec(const struct rw_engine *e, struct sup_caller *c, const struct call *k, const char *abs, struct sup_answer *a)
{
        char real[PATH_MAX];
        int r = rw_vfs_real_path(e, abs, !(k->flags & AT_SYMLINK_NOFOLLOW), real, sizeof(real));

        if (r < 0) {
                answer(a, r);
                return;
        }
        if (kernel_reaches(c, k, real))
                return;
        const unsigned long args[6] = { SUP_REISSUE_FD, (unsigned long)(k->path + k->path_len), k->argv, k->envp,
                                        AT_EMPTY_PATH };
        reissue(a, k, open(real, O_RDONLY | O_CLOEXEC), SYS_execveat, args);
        if (a->kind == SUP_REISSUE) {
                a->reissue.exec = 1;
                a->reissue.tgid = sup_proc_tgid(c->tid);
                a->reissue.keep_fd = is_script(real);
        }
}

/* A FIFO, socket or device the kernel cannot reach by the caller's path (a cwd in the upper, an
 * absolute virtual path): a FIFO's open blocks until its peer comes, so it is made on a thread of
 * its own (notify_fifo.h); anything else cannot block and is opened here (a socket: ENXIO). */
static int open_special(const struct rw_engine *e, struct sup_caller *c, const struct call *k, const char *abs,
                        struct sup_answer *a)
{
        char *real = a->real;
        struct stat st;

        if (rw_vfs_real_path(e, abs, !(k->flags & O_NOFOLLOW), real, sizeof(a->real)) < 0 || !is_special(real, k->flags))
                return 0;
        if (kernel_reaches(c, k, real))
                return 1;   /* the kernel opens the same node */
        if (stat(real, &st) == 0 && S_ISFIFO(st.st_mode)) {
                a->kind = SUP_OPEN_FIFO;
                a->value = k->mode;   /* for an O_CREAT that finds the FIFO there */
                a->fd_flags = (k->flags & O_CLOEXEC) ? O_CLOEXEC : 0;
                a->open_flags = (int)k->flags;
                return 1;
        }
        int fd = open(real, (int)k->flags | O_CLOEXEC | O_NONBLOCK, (mode_t)k->mode);
        if (fd >= 0 && !(k->flags & O_NONBLOCK))
                fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        give_fd(a, fd < 0 ? -errno : fd, k->flags);
        return 1;
}

static int mknod_as_caller(const struct rw_engine *e, struct sup_caller *c, const char *abs, long mode, dev_t dev)
{
        mode_t old = umask(sup_caller_umask(c));
        int r = rw_vfs_mknod(e, abs, (mode_t)mode, dev);

        umask(old);
        return r;
}

static void do_open(const struct rw_engine *e, struct sup_caller *c, const struct call *k,
                    const char *abs, int q, struct sup_answer *a)
{
        if ((q & RW_INDEX_UNDER) && open_special(e, c, k, abs, a))
                return;
        /* An open for writing is performed here and its fd injected, never checked and then
         * continued: the kernel would re-read the path, and the answer could be stale by then. */
        if ((q & RW_INDEX_UNDER) || (wants_write(k->flags) && rw_engine_may_redirect(e, abs) &&
                                     !is_special(abs, k->flags)))
                give_fd(a, open_as_caller(e, c, abs, k->flags, k->mode), k->flags);
}

/* Lookups answered from the real path of the merged view: the result, or -errno. */
static long do_stat(const struct rw_engine *e, struct sup_caller *c, const struct call *k, const char *abs)
{
        char real[PATH_MAX];
        /* "link/" names what link points to, as the kernel resolves it: follow, and a
         * directory it must be. */
        int nofollow = (k->flags & AT_SYMLINK_NOFOLLOW) && !k->slash;
        struct rw_where w __attribute__((cleanup(rw_where_release))) = { .parent_fd = -1 };
        int r = rw_layer_lookup(&e->upper, abs, !nofollow, &w);

        if (r < 0)
                return r;
        if (k->kind == K_STAT && w.kind == RW_UPPER && !S_ISLNK(w.st.st_mode)) {
                /* The lookup's own lstat of the upper object is the answer: no second stat. */
                if (k->slash && !S_ISDIR(w.st.st_mode))
                        return -ENOTDIR;
                return sup_caller_write(c, k->buf, &w.st, sizeof(w.st));
        }
        if ((r = rw_where_real_path(&e->upper, &w, real, sizeof(real))) < 0)
                return r;
        if (k->kind == K_STATX) {
                struct statx stx;
                int fl = ((int)k->flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) | (nofollow ? AT_SYMLINK_NOFOLLOW : 0);
                if (statx(AT_FDCWD, real, fl, (unsigned)k->size | STATX_TYPE, &stx) < 0)
                        return -errno;
                if (k->slash && !S_ISDIR(stx.stx_mode))
                        return -ENOTDIR;
                return sup_caller_write(c, k->buf, &stx, sizeof(stx));
        }
        struct stat st;
        if (fstatat(AT_FDCWD, real, &st, nofollow ? AT_SYMLINK_NOFOLLOW : 0) < 0)
                return -errno;
        if (k->slash && !S_ISDIR(st.st_mode))
                return -ENOTDIR;
        return sup_caller_write(c, k->buf, &st, sizeof(st));
}

static long do_readlink(const struct rw_engine *e, struct sup_caller *c, const struct call *k, const char *abs)
{
        char real[PATH_MAX], target[PATH_MAX];
        int r = rw_vfs_real_path(e, abs, 0, real, sizeof(real));

        if (r < 0)
                return r;
        if (k->size <= 0)
                return -EINVAL;
        ssize_t n = readlink(real, target, sizeof(target));
        if (n < 0)
                return -errno;
        if (n > k->size)
                n = k->size;
        r = sup_caller_write(c, k->buf, target, (size_t)n);
        return r < 0 ? r : n;
}

/* The three time formats of utime(2), utimes(2) and utimensat(2), as timespecs. Returns 1
 * for "now" (NULL times), 0 with ts filled, or -EFAULT. */
static int read_times(struct sup_caller *c, const struct call *k, struct timespec ts[2])
{
        if (!k->buf)
                return 1;
        if (k->kind == K_UTIMENS)
                return sup_caller_read(c, k->buf, ts, 2 * sizeof(ts[0]));
        if (k->kind == K_UTIME) {
                struct utimbuf u;
                if (sup_caller_read(c, k->buf, &u, sizeof(u)) < 0)
                        return -EFAULT;
                ts[0] = (struct timespec){ .tv_sec = u.actime };
                ts[1] = (struct timespec){ .tv_sec = u.modtime };
                return 0;
        }
        struct timeval tv[2];
        if (sup_caller_read(c, k->buf, tv, sizeof(tv)) < 0)
                return -EFAULT;
        for (int i = 0; i < 2; i++)
                ts[i] = (struct timespec){ .tv_sec = tv[i].tv_sec, .tv_nsec = tv[i].tv_usec * 1000 };
        return 0;
}

/* link(2), and linkat(/proc/<tid>/fd/N) giving an O_TMPFILE file its name: the engine
 * places an open file's link in the upper straight away, so the real directory is tried first
 * here, as the kernel would have done for the program. */
static int do_link(const struct rw_engine *e, const char *from, const char *to, int flags)
{
        if ((flags & AT_SYMLINK_FOLLOW) && strncmp(from, "/proc/", 6) == 0) {
                if (linkat(AT_FDCWD, from, AT_FDCWD, to, AT_SYMLINK_FOLLOW) == 0)
                        return 0;
                if (!rw_errno_redirectable(errno) || !rw_engine_may_redirect(e, to))
                        return -errno;
        }
        return rw_vfs_link(e, from, to, flags);
}

/* 1 when we hold CAP_CHOWN (root, or root of a user namespace): read once, our credentials
 * (the program's) do not grow. */
static int may_chown_anything(void)
{
        static int known, answer_cap;

        if (!known) {
                struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
                struct __user_cap_data_struct d[2] = { { 0 } };

                answer_cap = syscall(SYS_capget, &h, d) == 0 && (d[0].effective & (1u << CAP_CHOWN));
                known = 1;
        }
        return answer_cap;
}

static int in_our_groups(gid_t gid)
{
        static gid_t groups[NGROUPS_MAX];
        static int n = -1;

        if (gid == getegid())
                return 1;
        if (n < 0 && (n = getgroups(NGROUPS_MAX, groups)) < 0)
                n = 0;
        for (int i = 0; i < n; i++)
                if (groups[i] == gid)
                        return 1;
        return 0;
}

/* A chown that gives a file away (another owner, or a group we are not in) needs CAP_CHOWN
 * whoever owns the file, so no copy-up can make it succeed: the copy would be ours and the
 * chown of it fail the same way, leaving a copy that shows the file as ours (tar restoring an
 * archive's owners does this for every file). */
static int chown_gives_away(const struct call *k)
{
        if (k->kind != K_CHOWN || may_chown_anything())
                return 0;
        static uid_t euid = (uid_t)-1;

        if (euid == (uid_t)-1)
                euid = geteuid();   /* ours, and the program's: it never changes under us */
        return (k->uid != (uid_t)-1 && k->uid != euid) || (k->gid != (gid_t)-1 && !in_our_groups(k->gid));
}

/* The chown of a file away, done as the kernel would do it on the real file of the merged
 * view (its EPERM, or its ENOENT), without copying anything up. */
static long chown_away(const struct rw_engine *e, const struct call *k, const char *abs)
{
        char real[PATH_MAX];
        int follow = !(k->flags & AT_SYMLINK_NOFOLLOW);
        int r = rw_vfs_real_path(e, abs, follow, real, sizeof(real));

        if (r < 0)
                return r;
        return fchownat(AT_FDCWD, real, k->uid, k->gid, follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

/* Calls that change the filesystem: performed here, through the engine, which tries the real
 * filesystem first and redirects only what it refuses. */
static long do_change(const struct rw_engine *e, struct sup_caller *c, const struct call *k,
                      const char *abs, const char *abs2, const char *text, const struct timespec *ts)
{
        int follow = !(k->flags & AT_SYMLINK_NOFOLLOW);

        switch (k->kind) {
        case K_MKDIR: return mkdir_as_caller(e, c, abs, k->mode);
        case K_MKNOD: return mknod_as_caller(e, c, abs, k->mode, k->dev);
        case K_UNLINK: return (k->flags & AT_REMOVEDIR) ? rw_vfs_rmdir(e, abs) : rw_vfs_unlink(e, abs);
        case K_RENAME: return rw_vfs_rename(e, abs, abs2, (unsigned)k->flags);
        case K_LINK: return do_link(e, abs, abs2, (int)(k->flags & AT_SYMLINK_FOLLOW));
        case K_SYMLINK: return rw_vfs_symlink(e, text, abs);
        case K_CHMOD: return rw_vfs_chmod(e, abs, (mode_t)k->mode, 1);
        case K_CHOWN: return rw_vfs_chown(e, abs, k->uid, k->gid, follow);
        case K_TRUNCATE: return rw_vfs_truncate(e, abs, (off_t)k->size);
        case K_UTIMENS: case K_UTIMES: case K_UTIME: return rw_vfs_utimens(e, abs, ts, follow);
        default: return -ENOSYS;
        }
}

/* trace: the call exactly as the kernel would run it for the program (same credentials and
 * umask; only the path was resolved here), so its real result can be recorded. */
static long do_native(struct sup_caller *c, const struct call *k, const char *abs, const char *abs2,
                      const char *text, const struct timespec *ts)
{
        int nofollow = (int)(k->flags & AT_SYMLINK_NOFOLLOW);
        /* Only creations read the caller's umask (a /proc read) and take it on. */
        int creates = k->kind == K_MKDIR || k->kind == K_MKNOD ||
                      ((k->kind == K_OPEN || k->kind == K_OPENAT2) && (k->flags & (O_CREAT | O_TMPFILE)));
        mode_t old = creates ? umask(sup_caller_umask(c)) : 0;
        long r;

        switch (k->kind) {
        case K_OPEN: case K_OPENAT2: r = openat(AT_FDCWD, abs, (int)k->flags | O_CLOEXEC, (mode_t)k->mode); break;
        case K_MKDIR: r = mkdir(abs, (mode_t)k->mode); break;
        case K_MKNOD: r = mknodat(AT_FDCWD, abs, (mode_t)k->mode, k->dev); break;
        case K_UNLINK: r = unlinkat(AT_FDCWD, abs, (int)(k->flags & AT_REMOVEDIR)); break;
        case K_RENAME: r = renameat2(AT_FDCWD, abs, AT_FDCWD, abs2, (unsigned)k->flags); break;
        case K_LINK: r = linkat(AT_FDCWD, abs, AT_FDCWD, abs2, (int)(k->flags & AT_SYMLINK_FOLLOW)); break;
        case K_SYMLINK: r = symlink(text, abs); break;
        case K_CHMOD: r = fchmodat(AT_FDCWD, abs, (mode_t)k->mode, 0); break;
        case K_CHOWN: r = fchownat(AT_FDCWD, abs, k->uid, k->gid, nofollow); break;
        case K_TRUNCATE: r = truncate(abs, (off_t)k->size); break;
        default: r = utimensat(AT_FDCWD, abs, ts, nofollow); break;
        }
        r = r < 0 ? -errno : r;
        if (creates)
                umask(old);
        return r;
}

struct native_args {
        struct sup_caller *c;
        const struct call *k;
        const char *abs, *abs2, *text;
        const struct timespec *ts;
};

static long native_thunk(void *arg)
{
        struct native_args *n = arg;

        return do_native(n->c, n->k, n->abs, n->abs2, n->text, n->ts);
}

static int is_change(enum kind k)
{
        return k >= K_MKDIR && k <= K_MKNOD;
}

/* A call whose outcome only the upper's content can change (an access for W_OK or an open for
 * writing may be redirected even while the upper is empty). */
static int is_lookup(const struct call *k)
{
        switch (k->kind) {
        case K_STAT: case K_STATX: case K_READLINK: case K_GETDENTS: case K_CHDIR: case K_EXEC: case K_GETCWD:
        case K_CONNECT: case K_SOCKNAME:
                return 1;
        case K_ACCESS: return !(k->mode & W_OK);
        case K_OPEN: return !wants_write(k->flags);
        default: return 0;
        }
}

/* The index's answer for a path the caller named: its normalised form, and for a path with
 * "..", every directory it climbs out of ("new/.." exists when only the upper has new). */
static int query(const struct rw_engine *e, struct sup_caller *c, int dirfd, const char *path,
                 const char *abs)
{
        char base[PATH_MAX];
        int q = rw_index_query(e->upper.index, abs);

        if (!(q & RW_INDEX_UNDER) && strstr(path, "..") &&
            (path[0] == '/' || sup_caller_base(c, &e->upper, dirfd, base, sizeof(base)) >= 0))
                q |= rw_index_query_climbed(e->upper.index, path[0] == '/' ? NULL : base, path);
        return q;
}

/* What the caller's path string looks like: its length (a rewritten exec points at its NUL),
 * whether a trailing slash makes it name a directory. */
static void note_shape(struct call *k, const char *path)
{
        size_t n = strlen(path), end = n;

        k->text = path;
        k->path_len = n;
        while (end > 1 && path[end - 1] == '/')
                end--;
        k->slash = end < n;
}

/* Reads what the call names and asks the index about it. Returns the index's answer, or -1
 * when the kernel should handle the call (bad pointer, fd-only form, a dirfd that is no
 * directory: the kernel's own error is the right one). */
static int read_paths(const struct rw_engine *e, struct sup_caller *c, struct call *k,
                      char *abs, char *abs2, char *text)
{
        char path[PATH_MAX];
        int q;

        if (k->kind == K_OPENAT2) {
                struct open_how how;
                if (k->size < (long)sizeof(how) || sup_caller_read(c, k->buf, &how, sizeof(how)) < 0 || how.resolve)
                        return -1;   /* RESOLVE_* restrictions: the kernel enforces them as asked */
                k->flags = (long)how.flags;
                k->mode = (long)how.mode;
        }
        char *first = k->text_buf;

        if (!k->path || sup_caller_string(c, k->path, first, PATH_MAX) < 0 ||
            (k->base_in_upper = sup_caller_abs_path(c, &e->upper, k->dirfd, first, abs, PATH_MAX)) < 0)
                return -1;
        note_shape(k, first);
        q = query(e, c, k->dirfd, first, abs);
        /* The kernel would resolve this path inside the upper, where the lower's entries are
         * missing: it must go through the merged view, never back to the kernel. */
        if (k->base_in_upper)
                q |= RW_INDEX_UNDER;
        if (k->kind == K_SYMLINK)
                return sup_caller_string(c, k->path2, text, PATH_MAX) < 0 ? -1 : q;
        if (k->kind == K_RENAME || k->kind == K_LINK) {
                int in_upper;
                if ((k->flags & AT_EMPTY_PATH) || sup_caller_string(c, k->path2, path, sizeof(path)) < 0 ||
                    (in_upper = sup_caller_abs_path(c, &e->upper, k->dirfd2, path, abs2, PATH_MAX)) < 0)
                        return -1;
                q |= query(e, c, k->dirfd2, path, abs2) | (in_upper ? RW_INDEX_UNDER : 0);
        }
        return q;
}

static const char *op_name(const struct call *k)
{
        switch (k->kind) {
        case K_OPEN: case K_OPENAT2: return "open";
        case K_MKDIR: return "mkdir";
        case K_MKNOD: return "mknod";
        case K_STAT: case K_STATX: return (k->flags & AT_SYMLINK_NOFOLLOW) ? "lstat" : "stat";
        case K_ACCESS: return "access";
        case K_READLINK: return "readlink";
        case K_UNLINK: return (k->flags & AT_REMOVEDIR) ? "rmdir" : "unlink";
        case K_RENAME: return "rename";
        case K_LINK: return "link";
        case K_SYMLINK: return "symlink";
        case K_CHMOD: return "chmod";
        case K_CHOWN: return "chown";
        case K_TRUNCATE: return "truncate";
        default: return "utimens";
        }
}

/* Fills the event record of the answer (a->action is set by the caller). */
static void set_note(struct sup_answer *a, const struct call *k, const char *abs, const char *abs2)
{
        int open = k->kind == K_OPEN || k->kind == K_OPENAT2;

        a->op = op_name(k);
        a->open_flags = open ? (int)k->flags : -1;
        snprintf(a->path, sizeof(a->path), "%s", abs);
        snprintf(a->path2, sizeof(a->path2), "%s", (k->kind == K_RENAME || k->kind == K_LINK) ? abs2 : "");
}

/* Notes a write the supervisor performed for `run -v`: redirected when it succeeded and the
 * upper now holds the path, denied when it failed for lack of permission. */
static void note_write(const struct rw_engine *e, const struct call *k, const char *abs, const char *abs2,
                       struct sup_answer *a)
{
        long r = a->kind == SUP_GIVE_FD || a->kind == SUP_OPEN_FIFO ? 0 : a->value;

        int open = k->kind == K_OPEN || k->kind == K_OPENAT2;

        if (a->kind == SUP_CONTINUE || (open && !wants_write(k->flags)))
                return;
        if (r >= 0 && (rw_index_query(e->upper.index, abs) & RW_INDEX_UNDER))
                a->action = RW_ACTION_REDIRECTED;
        else if (r < 0 && rw_errno_redirectable((int)-r))
                a->action = RW_ACTION_DENIED;
        else
                return;
        set_note(a, k, abs, abs2);
}

static int record_all;

void sup_notify_record_all(int on)
{
        record_all = on;
}

/* trace --all: a lookup run here as the kernel would run it for the program, its result
 * written into the program's buffer, so it can be recorded with its real outcome. */
static long trace_lookup(struct sup_caller *c, const struct call *k, const char *abs)
{
        int nofollow = (int)(k->flags & AT_SYMLINK_NOFOLLOW);
        char target[PATH_MAX];
        struct statx stx;
        struct stat st;
        ssize_t n;

        switch (k->kind) {
        case K_STAT:
                if (fstatat(AT_FDCWD, abs, &st, nofollow) < 0)
                        return -errno;
                return sup_caller_write(c, k->buf, &st, sizeof(st));
        case K_STATX:
                if (statx(AT_FDCWD, abs, (int)k->flags & ~AT_EMPTY_PATH, (unsigned)k->size, &stx) < 0)
                        return -errno;
                return sup_caller_write(c, k->buf, &stx, sizeof(stx));
        case K_ACCESS:
                return syscall(SYS_faccessat2, AT_FDCWD, abs, (int)k->mode, (int)k->flags) < 0 ? -errno : 0;
        case K_READLINK:
                if (k->size <= 0)
                        return -EINVAL;
                if ((n = readlink(abs, target, sizeof(target))) < 0)
                        return -errno;
                n = n > k->size ? k->size : n;
                return sup_caller_write(c, k->buf, target, (size_t)n) < 0 ? -EFAULT : n;
        default:
                return -ENOSYS;
        }
}

/* trace: writes are run here and recorded with their real result, and under --all lookups
 * too; everything else goes back to the kernel unrecorded. */
static void trace_call(struct sup_caller *c, const struct call *k, const char *abs, const char *abs2,
                       const char *text, const struct timespec *ts, struct sup_answer *a)
{
        int open = k->kind == K_OPEN || k->kind == K_OPENAT2;
        long r;

        if (record_all && !sup_domain_active() && k->kind <= K_READLINK &&
            (!open || (!wants_write(k->flags) && !is_special(abs, k->flags)))) {
                if (open) {
                        r = openat(AT_FDCWD, abs, (int)k->flags | O_CLOEXEC, (mode_t)k->mode);
                        r = r < 0 ? -errno : r;
                        give_fd(a, (int)r, k->flags);
                } else {
                        answer(a, r = trace_lookup(c, k, abs));
                }
                a->action = r >= 0 ? RW_ACTION_OK : rw_errno_redirectable((int)-r) ? RW_ACTION_DENIED : RW_ACTION_FAILED;
                set_note(a, k, abs, abs2);
                return;
        }
        if (!(open && wants_write(k->flags) && !is_special(abs, k->flags)) && !is_change(k->kind))
                return;
        if (sup_domain_active()) {
                struct native_args n = { c, k, abs, abs2, text, ts };
                r = sup_domain_run(native_thunk, &n, open);
        } else {
                r = do_native(c, k, abs, abs2, text, ts);
        }
        if (open)
                give_fd(a, (int)r, k->flags);
        else
                answer(a, r);
        a->action = r >= 0 ? RW_ACTION_OK : rw_errno_redirectable((int)-r) ? RW_ACTION_DENIED : RW_ACTION_FAILED;
        if (a->action == RW_ACTION_OK && sup_domain_active() && k->kind != K_CHMOD && k->kind != K_CHOWN &&
            k->kind != K_UTIMENS && k->kind != K_UTIMES && k->kind != K_UTIME)
                return;   /* check records what the sandbox refused and metadata changes, as the preload */
        set_note(a, k, abs, abs2);
}

/* After a real directory was removed or moved away: the upper may still hold an empty
 * directory by that name, left from the parents of a copy-up whose file has since moved out
 * (the index no longer lists anything there). It would show in merged listings as a ghost of
 * the removed directory, so it goes too. Opened without following any symlink: the upper's
 * tree is partly the program's. */
static void prune_upper_dir(const struct rw_upper *u, const char *abs)
{
        char parent[PATH_MAX];
        const char *slash = strrchr(abs, '/');
        struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };

        if (!u->fs[0] || !slash || slash == abs || (size_t)(slash - abs) >= sizeof(parent))
                return;
        memcpy(parent, abs, (size_t)(slash - abs));
        parent[slash - abs] = '\0';
        int root = open(u->fs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return;
        int fd = (int)syscall(SYS_openat2, root, parent, &how, sizeof(how));
        close(root);
        if (fd < 0)
                return;   /* the upper has no such parent: nothing was left */
        unlinkat(fd, slash + 1, AT_REMOVEDIR);   /* ENOENT, ENOTDIR, ENOTEMPTY: leave it */
        close(fd);
}

/* A write to a name the upper does not hold is first made for real, here, as the kernel would
 * make it for the program (the preload does the same): that is the whole cost of the call
 * when it is allowed. Only a refusal the upper can fix (EACCES, EPERM, EROFS) goes on to the
 * engine, whose walk of the merged view costs a dozen calls more. mkdir of a name that exists
 * is EEXIST from one lstat, as the kernel puts EEXIST before EACCES and EROFS. Paths whose
 * spelling the kernel may resolve otherwise than abs ("..", a trailing slash) and special
 * files take the engine's way. Returns 1 when a has the answer. */
static int real_first(const struct rw_engine *e, struct sup_caller *c, const struct call *k, int q,
                      const char *abs, const char *abs2, const char *text, const struct timespec *ts,
                      struct sup_answer *a)
{
        int open = k->kind == K_OPEN || k->kind == K_OPENAT2;
        struct stat st;
        long r;

        /* q == 0: the index knows nothing at, above or below the name (a directory with
         * entries below in the upper is no real directory's business). */
        /* A trailing slash changes nothing for mkdir ("x/" makes x); elsewhere it asks for a
         * directory, which the normalised abs no longer says. */
        if (q || e->mode != RW_MODE_RUN || (k->slash && k->kind != K_MKDIR) || strstr(k->text, "..") ||
            (open ? !wants_write(k->flags) : !is_change(k->kind)))
                return 0;
        if (open && is_special(abs, k->flags))
                return 0;
        if (k->kind == K_MKDIR && fstatat(AT_FDCWD, abs, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                answer(a, -EEXIST);
                return 1;
        }
        r = do_native(c, k, abs, abs2, text, ts);
        if (r < 0 && rw_errno_redirectable((int)-r) && !chown_gives_away(k))
                return 0;
        if (r == 0 && ((k->kind == K_UNLINK && (k->flags & AT_REMOVEDIR)) || k->kind == K_RENAME))
                prune_upper_dir(&e->upper, abs);
        if (open)
                give_fd(a, (int)r, k->flags);
        else
                answer(a, r);
        return 1;
}

/* A lookup of a name outside the upper goes back to the kernel as it is (see the switch below):
 * nothing is acted on, so it needs no NOTIF_ID_VALID either. */
static int passes_untouched(const struct rw_engine *e, const struct call *k, int q)
{
        if (e->mode != RW_MODE_RUN || (q & RW_INDEX_UNDER))
                return 0;
        switch (k->kind) {
        case K_STAT: case K_STATX: case K_CHDIR: case K_EXEC: return 1;
        case K_ACCESS: return !(k->mode & W_OK);
        case K_OPEN: case K_OPENAT2: return !wants_write(k->flags);
        default: return 0;
        }
}

static void decide_path_call(const struct rw_engine *e, struct sup_caller *c, struct call *k,
                             int (*verify)(void *), void *ctx, struct sup_answer *a)
{
        char abs[PATH_MAX], abs2[PATH_MAX], text[PATH_MAX];
        struct timespec ts[2];
        int q, t = 1;
        long r;

        if ((q = read_paths(e, c, k, abs, abs2, text)) < 0 || passes_untouched(e, k, q))
                return;
        if ((k->kind == K_UTIMENS || k->kind == K_UTIMES || k->kind == K_UTIME) && (t = read_times(c, k, ts)) < 0)
                return;
        if (verify(ctx) != 0)
                return;
        if (e->mode == RW_MODE_TRACE) {
                trace_call(c, k, abs, abs2, text, t == 1 ? NULL : ts, a);
                return;
        }
        if (real_first(e, c, k, q, abs, abs2, text, t == 1 ? NULL : ts, a))
                return;
        switch (k->kind) {
        case K_OPEN: case K_OPENAT2:
                do_open(e, c, k, abs, q, a);
                note_write(e, k, abs, abs2, a);
                return;
        case K_STAT: case K_STATX:
                if (q & RW_INDEX_UNDER)
                        answer(a, do_stat(e, c, k, abs));
                return;
        case K_READLINK:
                if (q & RW_INDEX_UNDER)
                        answer(a, do_readlink(e, c, k, abs));
                else if ((r = sup_virtual_proc_readlink(&e->upper, c, abs, k->buf, k->size)) != SUP_VIRTUAL_KERNEL)
                        answer(a, r);
                return;
        case K_CHDIR:
                if (q & RW_INDEX_UNDER)
                        do_chdir(e, c, k, abs, a);
                return;
        case K_EXEC:
                if (q & RW_INDEX_UNDER)
                        do_exec(e, c, k, abs, a);
                return;
        case K_ACCESS:
                /* W_OK is granted where a write would be redirected. */
                if ((q & RW_INDEX_UNDER) || ((k->mode & W_OK) && rw_engine_may_redirect(e, abs)))
                        answer(a, rw_vfs_access(e, abs, (int)k->mode, (int)k->flags));
                return;
        default:
                break;
        }
        if (chown_gives_away(k)) {
                if (q & RW_INDEX_UNDER)
                        answer(a, chown_away(e, k, abs));
                return;   /* else the kernel answers from the real file */
        }
        int two = k->kind == K_RENAME || k->kind == K_LINK;
        if (is_change(k->kind) &&
            ((q & RW_INDEX_UNDER) || rw_engine_may_redirect(e, abs) || (two && rw_engine_may_redirect(e, abs2)))) {
                answer(a, do_change(e, c, k, abs, abs2, text, t == 1 ? NULL : ts));
                note_write(e, k, abs, abs2, a);
        }
}

void sup_notify_decide(const struct rw_engine *e, const struct seccomp_notif *n,
                       struct sup_caller *c, int (*verify)(void *ctx), void *ctx,
                       struct sup_answer *a)
{
        struct call k = { 0 };

        a->kind = SUP_CONTINUE;
        a->fd = -1;
        a->op = NULL;
        decode_paths(n, &k);
        if (k.kind == K_NONE || (rw_index_empty(e->upper.index) && is_lookup(&k) && !(record_all && k.kind <= K_READLINK)))
                return;   /* an empty upper changes no lookup */
        if (k.kind == K_GETCWD) {
                long r = e->mode == RW_MODE_RUN ? sup_virtual_getcwd(&e->upper, c, k.buf, (size_t)k.size, verify, ctx)
                                                : SUP_VIRTUAL_KERNEL;
                if (r != SUP_VIRTUAL_KERNEL)
                        answer(a, r);
                return;
        }
        if (k.kind == K_BIND || k.kind == K_CONNECT) {
                long r = e->mode == RW_MODE_RUN ? sup_socket_call(e, c, k.kind == K_BIND, k.dirfd, k.buf, k.size, verify, ctx)
                                                : SUP_SOCKET_KERNEL;
                if (r != SUP_SOCKET_KERNEL)
                        answer(a, r);
                return;
        }
        if (k.kind == K_SOCKNAME) {
                long r = e->mode == RW_MODE_RUN ? sup_socket_name(e, c, (int)k.flags, k.dirfd, k.buf, k.argv, verify, ctx)
                                                : SUP_SOCKET_KERNEL;
                if (r != SUP_SOCKET_KERNEL)
                        answer(a, r);
                return;
        }
        if (k.kind == K_GETDENTS) {
                long r = sup_merged_getdents(e, c, k.dirfd, k.buf, (size_t)k.size, verify, ctx);
                if (r != SUP_DIRENTS_KERNEL)
                        answer(a, r);
                return;
        }
        decide_path_call(e, c, &k, verify, ctx, a);
}
