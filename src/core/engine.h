/* The engine's per-process configuration (preload-safe): which policy applies and to what.
 * Filled by the preload constructor from the environment (see docs/design.md). */
#ifndef RW_ENGINE_H
#define RW_ENGINE_H

#include <errno.h>

#include "core/layer.h"

enum rw_mode {
        RW_MODE_OFF = 0,    /* not under rwshim, or a broken setup: pass everything through */
        RW_MODE_RUN,        /* redirect denied writes into the upper */
        RW_MODE_TRACE,      /* record only */
        RW_MODE_CHECK,      /* record refused writes (the sandbox refuses them) */
};

#define RW_LIST_MAX 4096

struct rw_engine {
        enum rw_mode mode;
        struct rw_upper upper;
        char only[RW_LIST_MAX];       /* ':'-separated trees; empty means everywhere */
        char exclude[RW_LIST_MAX];    /* ':'-separated trees never redirected */
};

/* The errors a redirect answers: lack of permission or a read-only filesystem. */
static inline int rw_errno_redirectable(int err)
{
        if (err < 0)
                err = -err;
        return err == EACCES || err == EPERM || err == EROFS;
}

/* True if a denied write to abs (absolute, normalised) may be redirected into the upper. */
int rw_engine_may_redirect(const struct rw_engine *e, const char *abs);

/* Records abs (and its resolved form, when different) in the upper's index. */
void rw_engine_register(const struct rw_engine *e, const char *abs, const char *resolved);

#endif
