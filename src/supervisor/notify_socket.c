/* AF_UNIX bind/connect in the merged view, for a static program; see notify_socket.h. */
#include "supervisor/notify_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/vfs_socket.h"

#define NAME_SLOTS 128
#define SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path))

/* Names given to bind/connect that the supervisor performed, by socket: what getsockname and
 * getpeername answer instead of the kernel's real or /proc/self/fd name. A ring: a server's
 * oldest peers go first. */
static struct name {
        dev_t dev;
        ino_t ino;
        int peer;
        char path[SUN_PATH_MAX + 1];
} names[NAME_SLOTS];
static size_t next_name;

static void remember(int sock, int peer, const char *path)
{
        struct stat st;
        struct name *n = NULL;

        if (fstat(sock, &st) < 0)
                return;
        for (size_t i = 0; i < NAME_SLOTS && !n; i++)
                if (names[i].ino == st.st_ino && names[i].dev == st.st_dev && names[i].peer == peer)
                        n = &names[i];
        if (!n)
                n = &names[next_name++ % NAME_SLOTS];
        *n = (struct name){ .dev = st.st_dev, .ino = st.st_ino, .peer = peer };
        snprintf(n->path, sizeof(n->path), "%s", path);
}

static const char *recall(int sock, int peer)
{
        struct stat st;

        if (fstat(sock, &st) < 0)
                return NULL;
        for (size_t i = 0; i < NAME_SLOTS; i++)
                if (names[i].ino == st.st_ino && names[i].dev == st.st_dev && names[i].peer == peer)
                        return names[i].path;
        return NULL;
}

/* The path an AF_UNIX address names, NUL-terminated in out; 0, or -1 for anything else
 * (another family, an abstract or unnamed address, a bad pointer: the kernel's answer). */
static int read_path(struct sup_caller *c, uint64_t addr, long len, char *out, size_t size)
{
        struct sockaddr_un sun;
        size_t base = offsetof(struct sockaddr_un, sun_path);

        if (len <= (long)base || len > (long)sizeof(sun))
                return -1;
        memset(&sun, 0, sizeof(sun));
        if (sup_caller_read(c, addr, &sun, (size_t)len) < 0 || sun.sun_family != AF_UNIX || !sun.sun_path[0])
                return -1;
        size_t n = strnlen(sun.sun_path, (size_t)len - base);
        if (n + 1 > size)
                return -1;
        memcpy(out, sun.sun_path, n);
        out[n] = '\0';
        return 0;
}

long sup_socket_call(const struct rw_engine *e, struct sup_caller *c, int is_bind, int sockfd,
                     uint64_t addr, long len, int (*verify)(void *ctx), void *ctx)
{
        char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1], abs[PATH_MAX];
        int in_upper, mine;
        long r;

        if (read_path(c, addr, len, path, sizeof(path)) < 0 ||
            (in_upper = sup_caller_abs_path(c, &e->upper, AT_FDCWD, path, abs, sizeof(abs))) < 0)
                return SUP_SOCKET_KERNEL;
        /* connect only changes where the merged view has the name; a new name (bind) may have
         * to go to the upper, which rw_vfs_bind decides after trying the real place. */
        if (!in_upper && !(rw_index_query(e->upper.index, abs) & RW_INDEX_UNDER) &&
            (!is_bind || !rw_engine_may_redirect(e, abs)))
                return SUP_SOCKET_KERNEL;
        if (verify(ctx) != 0 || (mine = sup_caller_dup_fd(c, sockfd)) < 0)
                return SUP_SOCKET_KERNEL;
        r = is_bind ? rw_vfs_bind(e, abs, mine) : rw_vfs_connect(e, abs, mine);
        if (r == 0)
                remember(mine, !is_bind, path);
        close(mine);
        return r;
}

/* Writes addr (len bytes) into the caller as getsockname(2) does: truncated to the caller's
 * *lenp, *lenp set to the full length. */
static long give_addr(struct sup_caller *c, uint64_t addr, uint64_t lenp, const struct sockaddr_un *sun, socklen_t len)
{
        socklen_t room;

        if (sup_caller_read(c, lenp, &room, sizeof(room)) < 0)
                return -EFAULT;
        if ((int)room < 0)
                return -EINVAL;
        if (sup_caller_write(c, addr, sun, room < len ? room : len) < 0 ||
            sup_caller_write(c, lenp, &len, sizeof(len)) < 0)
                return -EFAULT;
        return 0;
}

long sup_socket_name(const struct rw_engine *e, struct sup_caller *c, int peer, int sockfd, uint64_t addr,
                     uint64_t lenp, int (*verify)(void *ctx), void *ctx)
{
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        socklen_t len = sizeof(sun);
        const char *given;
        long r = SUP_SOCKET_KERNEL;
        int mine;

        if (verify(ctx) != 0 || (mine = sup_caller_dup_fd(c, sockfd)) < 0)
                return SUP_SOCKET_KERNEL;
        if ((given = recall(mine, peer))) {
                size_t n = strlen(given);
                memcpy(sun.sun_path, given, n);
                r = give_addr(c, addr, lenp, &sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1));
        } else if ((peer ? getpeername(mine, (struct sockaddr *)&sun, &len) : getsockname(mine, (struct sockaddr *)&sun, &len)) == 0 &&
                   sun.sun_family == AF_UNIX && rw_sock_addr_to_virtual(&e->upper, &sun, &len) == 1) {
                r = give_addr(c, addr, lenp, &sun, len);   /* named in the upper by someone else */
        }
        close(mine);
        return r;
}
