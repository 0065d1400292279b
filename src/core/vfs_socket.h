/* AF_UNIX path sockets over the merged view (preload-safe).
 *
 * A socket bound where the user may not create names lives in the upper, like any new name
 * (UPPER/fs/<virtual path>). sun_path holds 108 bytes and the upper path is longer than the
 * virtual one, so an address is built in one of two ways:
 *   - the real path itself (UPPER/fs/... or the lower path) when it fits: the kernel then
 *     stores a path every process can use (peers, `ss -x`, programs not under rwshim);
 *   - otherwise "/proc/self/fd/<dirfd>/<name>", where dirfd is an O_PATH fd of the directory
 *     (the upper parent found by the engine's no-follow walk, so the name cannot land outside
 *     UPPER). The kernel resolves that magic link for bind and connect alike.
 * The caller keeps rw_sock_addr.dirfd open until its bind/connect/sendto returned, then calls
 * rw_sock_addr_release(). Static programs (supervisor) call these on a pidfd_getfd() copy of
 * the target's socket: the /proc/self path then refers to the supervisor's own fd, which is
 * the process doing the call. */
#ifndef RW_VFS_SOCKET_H
#define RW_VFS_SOCKET_H

#include <sys/socket.h>
#include <sys/un.h>

#include "core/engine.h"

struct rw_sock_addr {
        struct sockaddr_un addr;
        socklen_t len;
        int dirfd;                  /* fd the address goes through, or -1 */
};

#define RW_SOCK_ADDR_AUTO __attribute__((cleanup(rw_sock_addr_release)))

void rw_sock_addr_release(struct rw_sock_addr *a);

/* Fills a with an address naming real (an absolute real path) when it fits, else name inside
 * the directory dirfd through /proc/self/fd (dirfd is dup'ed into a->dirfd; AT_FDCWD means
 * "open real's parent"). 0 or -errno (-ENAMETOOLONG when neither form fits). */
int rw_sock_addr_build(int dirfd, const char *name, const char *real, struct rw_sock_addr *a);

/* bind(2) of the AF_UNIX socket sockfd to virtual path abs (absolute, normalised): natively
 * first, in the upper when that is refused or the parent exists only in the upper. Returns 0
 * or -errno as bind would (-EADDRINUSE when the merged view already has the name). */
int rw_vfs_bind(const struct rw_engine *e, const char *abs, int sockfd);

/* The address a connect(2)/sendto(2) of virtual path abs must use (the name is looked up in
 * the merged view, following symlinks). 0 or -errno (-ENOENT when the view has no such name). */
int rw_vfs_socket_addr(const struct rw_engine *e, const char *abs, struct rw_sock_addr *a);

/* connect(2) of sockfd to virtual path abs, through rw_vfs_socket_addr(). 0 or -errno. */
int rw_vfs_connect(const struct rw_engine *e, const char *abs, int sockfd);

/* An address the kernel reported (getsockname, getpeername, accept, recvfrom) that names a
 * path inside UPPER/fs is rewritten to the virtual path. Returns 1 if rewritten, else 0.
 * *len is the address length as the kernel gave it, updated. */
int rw_sock_addr_to_virtual(const struct rw_upper *u, struct sockaddr_un *addr, socklen_t *len);

#endif
