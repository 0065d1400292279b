/* check: a static program's writes performed inside the same confinement the program has.
 *
 * Under `check`, static descendants of dynamic programs are confined (Landlock, or the
 * read-only user+mount namespace) and their refused writes must be reported like everyone
 * else's. The supervisor sees their calls through the seccomp listener but stands outside the
 * sandbox, so it never performs one itself: each write runs in a short-lived child of the
 * supervisor that first applies the very same confinement (the launch's pre_exec: Landlock
 * restrict_self with the same ruleset), then makes the call and sends back its result (and
 * the fd of an open, installed in the program with ADDFD). The kernel's answer inside the
 * sandbox is the one recorded and the one the program gets. */
#ifndef SUPERVISOR_NOTIFY_DOMAIN_H
#define SUPERVISOR_NOTIFY_DOMAIN_H

#include "core/err.h"

typedef int (*sup_domain_enter_fn)(void *ctx, struct rw_err *e);

/* From now on, sup_domain_run() confines with enter(ctx); NULL: no confinement (trace). */
void sup_domain_set(sup_domain_enter_fn enter, void *ctx);
int sup_domain_active(void);

/* Runs fn(arg) in a confined child and returns its result: >= 0 or -errno; when returns_fd and
 * the result is an fd, the fd is passed back and its number here returned (ours, O_CLOEXEC).
 * -EPERM when the confinement could not be applied (the call is then refused, never run
 * unconfined). */
long sup_domain_run(long (*fn)(void *arg), void *arg, int returns_fd);

#endif
