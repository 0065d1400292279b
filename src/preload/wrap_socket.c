/* AF_UNIX path sockets: bind makes its name in the upper when the directory refuses it;
 * connect, sendto and sendmsg find names the upper holds; getsockname, getpeername, accept and
 * recvfrom/recvmsg report virtual paths, never UPPER/fs/... . Any other address family, an
 * abstract or unnamed address, or a run whose upper is empty passes straight through. */
#include <stddef.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "core/sys.h"
#include "core/vfs_socket.h"
#include "preload/new_name.h"
#include "preload/state.h"

#define SUN_LEN_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

/* Copies the path of an AF_UNIX pathname address into out (NUL-terminated). 1 if it is one. */
static int unix_path(const struct sockaddr *addr, socklen_t len, char out[SUN_LEN_MAX + 1])
{
        const size_t off = offsetof(struct sockaddr_un, sun_path);
        const struct sockaddr_un *u = (const struct sockaddr_un *)(const void *)addr;
        size_t n;

        if (!addr || len <= off || addr->sa_family != AF_UNIX || u->sun_path[0] == '\0')
                return 0;
        n = len - off;
        if (n > SUN_LEN_MAX)
                n = SUN_LEN_MAX;
        memcpy(out, u->sun_path, n);
        out[n] = '\0';
        return 1;
}

/* ---- what this process asked for: the name a redirected bind or connect used ----
 * The kernel reports the address a socket was bound with. When that is "/proc/self/fd/N/..."
 * (the upper path did not fit sun_path) it cannot be mapped back, so each redirected socket
 * remembers its virtual name here, keyed by fd and checked by inode (fds are reused). Slots are
 * claimed with a compare-and-swap: no lock, usable from any thread or after fork. */
#define NAME_SLOTS 64
struct socket_name {
        _Atomic int fd;             /* fd + 1; 0 never used; -1 being written */
        ino_t ino;
        int peer;                   /* 1: the name connected to; 0: the name bound */
        char path[SUN_LEN_MAX + 1];
};
static struct socket_name names[NAME_SLOTS];
static _Atomic unsigned next_evicted;
static _Atomic int names_used;

static ino_t socket_ino(int fd)
{
        struct stat st;

        return rw_fstatat(fd, "", &st, AT_EMPTY_PATH) < 0 ? 0 : st.st_ino;
}

static void remember(int fd, int peer, const char *path)
{
        ino_t ino = socket_ino(fd);
        struct socket_name *free_slot = NULL;

        for (int i = 0; i < NAME_SLOTS; i++) {
                int cur = atomic_load(&names[i].fd);
                if (cur == fd + 1 && names[i].peer == peer) {
                        free_slot = &names[i];   /* reused fd: overwrite */
                        break;
                }
        }
        for (int i = 0; !free_slot && i < NAME_SLOTS; i++) {
                int expected = 0;
                if (atomic_compare_exchange_strong(&names[i].fd, &expected, -1))
                        free_slot = &names[i];
        }
        if (!free_slot)   /* full: the oldest names go first (a server accepting many peers) */
                free_slot = &names[atomic_fetch_add(&next_evicted, 1) % NAME_SLOTS];
        atomic_store(&free_slot->fd, -1);   /* readers skip the slot while it is rewritten */
        free_slot->ino = ino;
        free_slot->peer = peer;
        strncpy(free_slot->path, path, SUN_LEN_MAX);
        free_slot->path[SUN_LEN_MAX] = '\0';
        atomic_store(&free_slot->fd, fd + 1);
        atomic_store(&names_used, 1);
}

static const char *remembered(int fd, int peer)
{
        if (!atomic_load_explicit(&names_used, memory_order_relaxed))
                return NULL;   /* nothing was redirected in this process: no scan */
        for (int i = 0; i < NAME_SLOTS; i++)
                if (atomic_load(&names[i].fd) == fd + 1 && names[i].peer == peer)
                        return names[i].ino == socket_ino(fd) ? names[i].path : NULL;
        return NULL;
}

/* ---- reporting addresses ---- */
static void set_unix_path(struct sockaddr_un *u, socklen_t *len, const char *path)
{
        size_t n = strlen(path);

        memset(u->sun_path, 0, SUN_LEN_MAX);
        memcpy(u->sun_path, path, n);
        *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

/* Rewrites the address the kernel wrote into u (length *sl) to the virtual one. With fd >= 0,
 * getsockname (peer 0) reports exactly what this process gave bind (a relative name stays
 * relative, as natively); getpeername (peer 1) maps the name the server bound, and falls back
 * to the path this process connected to when that name is a /proc/self/fd one. */
static void to_virtual(int fd, int peer, struct sockaddr_un *u, socklen_t *sl)
{
        static const char proc[] = "/proc/self/fd/";
        const char *asked;

        if (*sl <= offsetof(struct sockaddr_un, sun_path) || u->sun_family != AF_UNIX || !u->sun_path[0])
                return;
        if (fd >= 0 && !peer && (asked = remembered(fd, 0))) {
                set_unix_path(u, sl, asked);
                return;
        }
        if (rw_sock_addr_to_virtual(&preload_engine.upper, u, sl))
                return;
        if (fd >= 0 && peer && strncmp(u->sun_path, proc, sizeof(proc) - 1) == 0 && (asked = remembered(fd, 1)))
                set_unix_path(u, sl, asked);
}

/* Copies the rewritten address back into the caller's buffer, truncating as the kernel does. */
static void copy_out(struct sockaddr *addr, socklen_t *len, const struct sockaddr_storage *ss, socklen_t sl)
{
        socklen_t cap = *len;

        memcpy(addr, ss, cap < sl ? cap : sl);
        *len = sl;
}

/* Reports only matter once the upper holds something: a socket can live there only then. */
static int reports_virtual(const struct sockaddr *addr, const socklen_t *len)
{
        return !preload_off() && preload_upper_nonempty() && addr && len;
}

typedef int (*name_fn)(int, struct sockaddr *, socklen_t *);

static int get_name(name_fn real, int fd, int peer, struct sockaddr *addr, socklen_t *len)
{
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);

        if (!reports_virtual(addr, len))
                return real(fd, addr, len);
        if (real(fd, (struct sockaddr *)&ss, &sl) < 0)
                return -1;
        to_virtual(fd, peer, (struct sockaddr_un *)&ss, &sl);
        copy_out(addr, len, &ss, sl);
        return 0;
}

DECLARE_REAL(int, getsockname, int, struct sockaddr *, socklen_t *);
DECLARE_REAL(int, getpeername, int, struct sockaddr *, socklen_t *);
PRELOAD_API int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{ return get_name(REAL(getsockname), fd, 0, addr, len); }
PRELOAD_API int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{ return get_name(REAL(getpeername), fd, 1, addr, len); }

/* An accepted socket reports the listener's name: it inherits what the listener asked for. */
static void inherit_name(int listener, int fd)
{
        int saved = errno;
        const char *asked = remembered(listener, 0);

        if (asked)
                remember(fd, 0, asked);
        errno = saved;
}

DECLARE_REAL(int, accept, int, struct sockaddr *, socklen_t *);
DECLARE_REAL(int, accept4, int, struct sockaddr *, socklen_t *, int);
static int do_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags, int four)
{
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        int r;

        if (!reports_virtual(addr, len)) {
                r = four ? REAL(accept4)(fd, addr, len, flags) : REAL(accept)(fd, addr, len);
                if (r >= 0 && !preload_off() && preload_upper_nonempty())
                        inherit_name(fd, r);
                return r;
        }
        r = four ? REAL(accept4)(fd, (struct sockaddr *)&ss, &sl, flags) : REAL(accept)(fd, (struct sockaddr *)&ss, &sl);
        if (r < 0)
                return r;
        to_virtual(-1, 0, (struct sockaddr_un *)&ss, &sl);
        copy_out(addr, len, &ss, sl);
        inherit_name(fd, r);
        return r;
}
PRELOAD_API int accept(int fd, struct sockaddr *addr, socklen_t *len) { return do_accept(fd, addr, len, 0, 0); }
PRELOAD_API int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) { return do_accept(fd, addr, len, flags, 1); }

DECLARE_REAL(ssize_t, recvfrom, int, void *, size_t, int, struct sockaddr *, socklen_t *);
PRELOAD_API ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *addr, socklen_t *len)
{
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        ssize_t r;

        if (!reports_virtual(addr, len))
                return REAL(recvfrom)(fd, buf, n, flags, addr, len);
        r = REAL(recvfrom)(fd, buf, n, flags, (struct sockaddr *)&ss, &sl);
        if (r < 0)
                return r;
        to_virtual(-1, 0, (struct sockaddr_un *)&ss, &sl);
        copy_out(addr, len, &ss, sl);
        return r;
}

DECLARE_REAL(ssize_t, recvmsg, int, struct msghdr *, int);
PRELOAD_API ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
        socklen_t cap = msg ? msg->msg_namelen : 0;
        ssize_t r = REAL(recvmsg)(fd, msg, flags);
        int saved = errno;

        /* Only a whole address is rewritten; the virtual path is shorter than the real one, so
         * it always fits where the real one did. */
        if (r >= 0 && msg->msg_name && reports_virtual(msg->msg_name, &msg->msg_namelen) &&
            msg->msg_namelen <= cap && msg->msg_namelen <= sizeof(struct sockaddr_un)) {
                struct sockaddr_un u;
                socklen_t sl = msg->msg_namelen;

                memcpy(&u, msg->msg_name, sl);
                to_virtual(-1, 0, &u, &sl);
                memcpy(msg->msg_name, &u, sl);
                msg->msg_namelen = sl;
        }
        errno = saved;
        return r;
}

/* ---- bind ---- */
struct bind_call {
        int fd;
        const struct sockaddr *addr;
        socklen_t len;
};

DECLARE_REAL(int, bind, int, const struct sockaddr *, socklen_t);
static int native_bind(const struct preload_new_name *c)
{
        const struct bind_call *b = c->arg;
        return REAL(bind)(b->fd, b->addr, b->len);
}
static int vfs_bind(const char *abs, const struct preload_new_name *c)
{
        const struct bind_call *b = c->arg;
        int r = rw_vfs_bind(&preload_engine, abs, b->fd);

        if (r == 0)
                remember(b->fd, 0, c->path);
        return r;
}

PRELOAD_API int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
        char path[SUN_LEN_MAX + 1];
        struct bind_call b = { fd, addr, len };
        struct preload_new_name c = { "bind", AT_FDCWD, path, native_bind, vfs_bind, &b };

        if (preload_off() || !unix_path(addr, len, path))
                return REAL(bind)(fd, addr, len);
        return preload_new_name_call(&c, CALLER);
}

/* ---- connect, sendto, sendmsg: a destination the upper holds ---- */
/* 1 with *a filled when the AF_UNIX destination must be rewritten, 0 to pass through,
 * -1 with errno when the merged view says it cannot be reached. */
static int route(const struct sockaddr *addr, socklen_t len, char *path, struct rw_sock_addr *a)
{
        char abs[PATH_MAX];
        int r;

        if (preload_off() || !preload_upper_nonempty() || !unix_path(addr, len, path))
                return 0;
        if (!(preload_query(AT_FDCWD, path, abs, sizeof(abs)) & RW_INDEX_UNDER))
                return 0;
        r = rw_vfs_socket_addr(&preload_engine, abs, a);
        return r < 0 ? preload_ret(r) : 1;
}

DECLARE_REAL(int, connect, int, const struct sockaddr *, socklen_t);
PRELOAD_API int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
        struct rw_sock_addr a RW_SOCK_ADDR_AUTO = { .dirfd = -1 };
        char path[SUN_LEN_MAX + 1];
        int q = route(addr, len, path, &a), r, err;

        if (q <= 0)
                return q < 0 ? q : REAL(connect)(fd, addr, len);
        r = REAL(connect)(fd, (const struct sockaddr *)&a.addr, a.len);
        err = errno;
        if (r == 0 || err == EINPROGRESS)
                remember(fd, 1, path);
        errno = err;
        return r;
}

DECLARE_REAL(ssize_t, sendto, int, const void *, size_t, int, const struct sockaddr *, socklen_t);
PRELOAD_API ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr, socklen_t len)
{
        struct rw_sock_addr a RW_SOCK_ADDR_AUTO = { .dirfd = -1 };
        char path[SUN_LEN_MAX + 1];
        int q = route(addr, len, path, &a);

        if (q <= 0)
                return q < 0 ? q : REAL(sendto)(fd, buf, n, flags, addr, len);
        return REAL(sendto)(fd, buf, n, flags, (const struct sockaddr *)&a.addr, a.len);
}

DECLARE_REAL(ssize_t, sendmsg, int, const struct msghdr *, int);
PRELOAD_API ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
        struct rw_sock_addr a RW_SOCK_ADDR_AUTO = { .dirfd = -1 };
        char path[SUN_LEN_MAX + 1];
        int q = msg ? route(msg->msg_name, msg->msg_namelen, path, &a) : 0;
        struct msghdr copy;

        if (q <= 0)
                return q < 0 ? q : REAL(sendmsg)(fd, msg, flags);
        copy = *msg;
        copy.msg_name = &a.addr;
        copy.msg_namelen = a.len;
        return REAL(sendmsg)(fd, &copy, flags);
}
