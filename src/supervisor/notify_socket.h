/* bind(2) and connect(2) of AF_UNIX path sockets, for a static program: the name lives in the
 * merged view (a socket bound where the user may not create names is in the upper). The call is
 * performed on a pidfd_getfd() copy of the program's socket, which is the same socket, through
 * the core's rw_vfs_bind/rw_vfs_connect. */
#ifndef SUPERVISOR_NOTIFY_SOCKET_H
#define SUPERVISOR_NOTIFY_SOCKET_H

#include <limits.h>
#include <stdint.h>

#include "core/engine.h"
#include "supervisor/notify_tracee.h"

#define SUP_SOCKET_KERNEL LONG_MIN   /* not a path the merged view changes: the kernel runs it */

/* Answers bind (is_bind) or connect of sockfd to the address at addr (len bytes) in the
 * caller: 0, -errno, or SUP_SOCKET_KERNEL (other families, abstract names, paths the index
 * never saw for connect). */
long sup_socket_call(const struct rw_engine *e, struct sup_caller *c, int is_bind, int sockfd,
                     uint64_t addr, long len, int (*verify)(void *ctx), void *ctx);

/* getsockname (peer 0) or getpeername (peer 1) of sockfd: the name as the program gave it to a
 * bind or connect the supervisor performed, or a real name in the upper mapped back to the
 * virtual path; SUP_SOCKET_KERNEL otherwise. */
long sup_socket_name(const struct rw_engine *e, struct sup_caller *c, int peer, int sockfd, uint64_t addr,
                     uint64_t lenp, int (*verify)(void *ctx), void *ctx);

#endif
