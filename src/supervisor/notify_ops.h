/* What the supervisor does with one notified file call of a static program: let the kernel
 * run it unchanged, answer it itself (a result or -errno), or answer with a new fd. */
#ifndef SUPERVISOR_NOTIFY_OPS_H
#define SUPERVISOR_NOTIFY_OPS_H

#include <linux/seccomp.h>

#include <limits.h>

#include "core/engine.h"
#include "core/event.h"
#include "supervisor/notify_reissue.h"
#include "supervisor/notify_tracee.h"

enum sup_answer_kind {
        SUP_CONTINUE,       /* the kernel runs the call as the program made it */
        SUP_RETURN,         /* the call returns value (>= 0) or fails with -value */
        SUP_GIVE_FD,        /* the call returns a new fd in the program, a copy of fd */
        SUP_REISSUE,        /* the thread makes the call `reissue` instead (notify_reissue.h);
                               where that cannot be done, the call fails with value */
        SUP_OPEN_FIFO,      /* the FIFO at `real` is opened with open_flags (and mode value) on a
                               thread of its own, which answers the call (notify_fifo.h) */
};

struct sup_answer {
        enum sup_answer_kind kind;
        long value;
        int fd;                 /* SUP_GIVE_FD: ours, closed after the hand-over */
        unsigned fd_flags;      /* SUP_GIVE_FD: O_CLOEXEC or 0 */
        struct sup_reissue reissue;   /* SUP_REISSUE; its fd is ours, closed after */
        enum sup_answer_kind fallback;  /* SUP_REISSUE where no ptrace stop can be had:
                                           SUP_CONTINUE, or SUP_RETURN of value */
        /* What `run -v` reports, as the preload does: a write that went to the upper, or one
         * refused for lack of permission. op is NULL when there is nothing to report. */
        const char *op;
        enum rw_action action;
        int open_flags;
        char path[PATH_MAX], path2[PATH_MAX];
        char real[PATH_MAX];    /* SUP_OPEN_FIFO */
};

/* Decides and performs one call. Reads the caller's arguments through c; verify() must be
 * called after reading memory and before acting on it (the notification may be stale); it
 * returns 0 while the call is still pending. */
void sup_notify_decide(const struct rw_engine *e, const struct seccomp_notif *n,
                       struct sup_caller *c, int (*verify)(void *ctx), void *ctx,
                       struct sup_answer *a);

/* trace --all: static programs' lookups are recorded too (run here, with their real result). */
void sup_notify_record_all(int on);

#endif
