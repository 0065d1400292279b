/* AF_UNIX bind/connect in the merged view, for a static program; see notify_socket.h. */
#include "supervisor/notify_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/vfs_socket.h"

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
        close(mine);
        return r;
}
