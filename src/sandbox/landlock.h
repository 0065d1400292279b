/* Landlock read-only root for `rwshim check`: a ruleset that handles only the write-class rights,
 * granted beneath the --writable paths, the usual device nodes and the event file. Reads and exec
 * stay free, so enforcement costs nothing outside the kernel's own path walk. */
#ifndef SANDBOX_LANDLOCK_H
#define SANDBOX_LANDLOCK_H

#include <stddef.h>

#include "core/err.h"

struct sandbox_landlock {
        int ruleset_fd;         /* built in the parent, applied in the child (pre_exec) */
        int abi;                /* Landlock ABI version the kernel offers */
        unsigned long long handled;   /* rights the ruleset restricts at that ABI */
};

/* The Landlock ABI of the running kernel (>= 1), or -errno: -ENOSYS when the kernel lacks it or a
 * seccomp profile blocks it, -EOPNOTSUPP when it is built in but disabled at boot. Cached. */
int sandbox_landlock_abi(void);

/* Builds the ruleset: write-class rights granted beneath each of writable[0..n) (absolute, existing),
 * the default device nodes, and extra_fd (the event file, or -1). Returns >= 0 or -errno with e set
 * (and a hint naming the cause when Landlock is unavailable). */
int sandbox_landlock_prepare(struct sandbox_landlock *ll, const char *const *writable, size_t n,
                             int extra_fd, struct rw_err *e);

/* Grants the write-class rights on one more file, by fd (the spool). A memfd needs no rule (it is
 * not restricted): 0 then. Returns >= 0 or -errno with e set. */
int sandbox_landlock_allow_file(struct sandbox_landlock *ll, int fd, const char *what, struct rw_err *e);

/* sup_launch.pre_exec: sets no_new_privs and restricts the calling (child) process.
 * Async-signal-safe: only syscalls. ctx is a struct sandbox_landlock. */
int sandbox_landlock_apply(void *ctx, struct rw_err *e);

/* Releases the ruleset fd in the parent. */
void sandbox_landlock_close(struct sandbox_landlock *ll);

/* Paths that stay writable under every backend, NULL-terminated (documented in docs/check.md). */
extern const char *const sandbox_default_writable[];

#endif
