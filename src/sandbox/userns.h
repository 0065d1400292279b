/* userns backend of `rwshim check`: a user + mount namespace in which the whole tree is read-only
 * and only the --writable paths (and the default device nodes) are writable again. The program
 * sees what a read-only root shows it: EROFS, and truthful access(W_OK) answers. */
#ifndef SANDBOX_USERNS_H
#define SANDBOX_USERNS_H

#include <stddef.h>
#include <sys/types.h>

#include "core/err.h"

struct sandbox_userns {
        const char *const *writable;   /* absolute, existing, canonical paths */
        size_t n;
        uid_t uid;                     /* the caller's ids, mapped to themselves */
        gid_t gid;
};

/* Checks in the parent that unprivileged user namespaces work here, so the failure is one clear
 * line before CMD starts. Returns 0 or -errno with e set (with a hint). */
int sandbox_userns_probe(struct rw_err *e);

/* sup_launch.pre_exec: enters the namespaces and remounts. Only syscalls (async-signal-safe).
 * ctx is a struct sandbox_userns. Returns >= 0 or -errno with e set. */
int sandbox_userns_apply(void *ctx, struct rw_err *e);

#endif
