/* AF_UNIX path sockets over the merged view: bind makes a new name, connect/sendto look the
 * name up; addresses that do not fit sun_path go through /proc/self/fd (preload-safe).
 * See vfs_socket.h and docs/design.md "Sockets and FIFOs". */
#include "core/vfs_socket.h"

#include <stddef.h>
#include <string.h>

#include "core/path.h"
#include "core/sys.h"
#include "core/vfs_common.h"

#define SUN_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

void rw_sock_addr_release(struct rw_sock_addr *a)
{
        if (a->dirfd >= 0)
                rw_close(a->dirfd);
        a->dirfd = -1;
}

static void set_path(struct rw_sock_addr *a, const char *path, size_t n)
{
        memset(&a->addr, 0, sizeof(a->addr));
        a->addr.sun_family = AF_UNIX;
        memcpy(a->addr.sun_path, path, n);
        a->addr.sun_path[n] = '\0';
        a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

/* Writes "/proc/self/fd/<fd>/<name>" into out (size bytes). Length or -ENAMETOOLONG. */
static int proc_fd_path(int fd, const char *name, char *out, size_t size)
{
        static const char pre[] = "/proc/self/fd/";
        char digits[12];
        size_t k = 0, n = sizeof(pre) - 1, name_len = strlen(name);

        do { digits[k++] = (char)('0' + fd % 10); fd /= 10; } while (fd > 0);
        if (n + k + 1 + name_len + 1 > size)
                return -ENAMETOOLONG;
        memcpy(out, pre, n);
        while (k)
                out[n++] = digits[--k];
        out[n++] = '/';
        memcpy(out + n, name, name_len + 1);
        return (int)(n + name_len);
}

int rw_sock_addr_build(int dirfd, const char *name, const char *real, struct rw_sock_addr *a)
{
        char path[SUN_PATH_MAX];
        char parent[PATH_MAX];
        int r;

        a->dirfd = -1;
        if (real && strlen(real) < SUN_PATH_MAX) {
                set_path(a, real, strlen(real));
                return 0;
        }
        if (dirfd == AT_FDCWD) {
                /* A lower path: its parent is resolved by the kernel, as a native call would. */
                if (!real || rw_path_split(real, parent, sizeof(parent), &name) < 0)
                        return -ENAMETOOLONG;
                a->dirfd = rw_openat(AT_FDCWD, parent, O_PATH | O_DIRECTORY, 0);
        } else {
                a->dirfd = (int)rw_sysret(RW_SYSCALL(SYS_fcntl, dirfd, F_DUPFD_CLOEXEC, 0));
        }
        if (a->dirfd < 0)
                return a->dirfd;
        r = proc_fd_path(a->dirfd, name, path, sizeof(path));
        if (r < 0) {
                rw_sock_addr_release(a);
                return r;
        }
        set_path(a, path, (size_t)r);
        return 0;
}

struct bind_args {
        const struct rw_engine *e;
        int sockfd;
};

/* The real path of name inside the upper directory dirfd, as the kernel names that directory,
 * if it lies inside UPPER/fs. 0 or -errno. */
static int upper_real_path(const struct rw_upper *u, int dirfd, const char *name, char *out, size_t size)
{
        char proc[32];
        ssize_t n;
        size_t name_len = strlen(name);

        if (proc_fd_path(dirfd, "", proc, sizeof(proc)) < 0)
                return -ENAMETOOLONG;
        proc[strlen(proc) - 1] = '\0';   /* no trailing '/': readlink the fd itself */
        n = rw_readlinkat(AT_FDCWD, proc, out, size - 1);
        if (n < 0)
                return (int)n;
        out[n] = '\0';
        if (!rw_path_is_under(out, u->fs) || (size_t)n + 1 + name_len + 1 > size)
                return -ENAMETOOLONG;
        out[n] = '/';
        memcpy(out + n + 1, name, name_len + 1);
        return 0;
}

static int bind_at(int dirfd, const char *name, const void *arg)
{
        const struct bind_args *b = arg;
        struct rw_sock_addr a RW_SOCK_ADDR_AUTO = { .dirfd = -1 };
        char real[PATH_MAX];
        int r;

        if (dirfd == AT_FDCWD)
                r = rw_sock_addr_build(AT_FDCWD, NULL, name, &a);
        else if (upper_real_path(&b->e->upper, dirfd, name, real, sizeof(real)) == 0)
                r = rw_sock_addr_build(dirfd, name, real, &a);
        else
                r = rw_sock_addr_build(dirfd, name, NULL, &a);
        if (r < 0)
                return r;
        return (int)rw_sysret(RW_SYSCALL(SYS_bind, b->sockfd, &a.addr, a.len));
}

int rw_vfs_bind(const struct rw_engine *e, const char *abs, int sockfd)
{
        struct bind_args b = { e, sockfd };
        struct rw_new_name how = { bind_at, NULL, &b };
        int r = rw_vfs_new_name(e, abs, &how);

        /* bind says EADDRINUSE where mkdir says EEXIST. */
        return r == -EEXIST ? -EADDRINUSE : r;
}

int rw_vfs_socket_addr(const struct rw_engine *e, const char *abs, struct rw_sock_addr *a)
{
        struct rw_where w RW_WHERE_AUTO = { .parent_fd = -1 };
        char real[PATH_MAX];
        int r = rw_layer_lookup(&e->upper, abs, 1, &w);

        a->dirfd = -1;
        if (r < 0)
                return r;
        r = rw_where_real_path(&e->upper, &w, real, sizeof(real));
        if (r < 0 && r != -ENAMETOOLONG)
                return r;
        if (w.kind == RW_LOWER)
                return rw_sock_addr_build(AT_FDCWD, NULL, r < 0 ? NULL : real, a);
        return rw_sock_addr_build(w.parent_fd, w.name, r < 0 ? NULL : real, a);
}

int rw_vfs_connect(const struct rw_engine *e, const char *abs, int sockfd)
{
        struct rw_sock_addr a RW_SOCK_ADDR_AUTO = { .dirfd = -1 };
        int r = rw_vfs_socket_addr(e, abs, &a);

        if (r < 0)
                return r;
        return (int)rw_sysret(RW_SYSCALL(SYS_connect, sockfd, &a.addr, a.len));
}

int rw_sock_addr_to_virtual(const struct rw_upper *u, struct sockaddr_un *addr, socklen_t *len)
{
        const size_t off = offsetof(struct sockaddr_un, sun_path);
        char real[SUN_PATH_MAX + 1], virt[SUN_PATH_MAX];
        size_t n;

        if (*len <= off || addr->sun_family != AF_UNIX || addr->sun_path[0] == '\0' || !u->fs_len)
                return 0;   /* unnamed or abstract: no path */
        n = *len - off;
        if (n > SUN_PATH_MAX)
                n = SUN_PATH_MAX;
        memcpy(real, addr->sun_path, n);
        real[n] = '\0';
        if (rw_upper_to_virtual(u, real, virt, sizeof(virt)) != 1)
                return 0;
        n = strlen(virt);
        memset(addr->sun_path, 0, SUN_PATH_MAX);
        memcpy(addr->sun_path, virt, n + 1);
        *len = (socklen_t)(off + n + 1);
        return 1;
}
