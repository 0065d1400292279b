/* getdents64 on a merged directory, for a static program: the listing the preload's readdir
 * gives, written into the program's buffer. */
#ifndef SUPERVISOR_NOTIFY_DIRENTS_H
#define SUPERVISOR_NOTIFY_DIRENTS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "core/engine.h"
#include "supervisor/notify_tracee.h"

#define SUP_DIRENTS_KERNEL LONG_MIN   /* not a merged directory: the kernel lists it */

/* Answers getdents64(fd, buf, count) for the caller: bytes written, 0 at the end, -errno, or
 * SUP_DIRENTS_KERNEL. The position is kept in the caller's own open file description (its
 * offset counts records of the merged listing), so dup'd fds, lseek(fd, 0, SEEK_SET) and
 * rewinddir() behave as on any directory. */
long sup_merged_getdents(const struct rw_engine *e, struct sup_caller *c, int fd, uint64_t buf,
                         size_t count, int (*verify)(void *ctx), void *ctx);

#endif
