/* Choosing the upper dir for `run`: --upper, --memory, or the default chain. */
#ifndef SUPERVISOR_UPPER_CHOICE_H
#define SUPERVISOR_UPPER_CHOICE_H

#include <limits.h>

#include "core/err.h"

struct sup_upper {
        char path[PATH_MAX];    /* absolute path of the prepared upper */
        int lock_fd;            /* shared lock held for the run */
        int in_memory;          /* --memory: removed at exit */
        const char *why;        /* how it was chosen, for -v */
};

/* Prepares the upper: arg (from --upper, may be relative) or, when NULL, $RWSHIM_UPPER, then the
 * first usable of $XDG_STATE_HOME/rwshim, $HOME/.local/state/rwshim, /tmp/rwshim-<uid>,
 * /dev/shm/rwshim-<uid>; with memory, a fresh dir in /dev/shm (or /tmp). `only` is the
 * ':'-separated --only list: an upper inside a redirected tree is refused.
 * Returns 0 or -errno with e set. */
int sup_choose_upper(const char *arg, int memory, const char *only, struct sup_upper *out, struct rw_err *e);

/* Releases the upper at the end of the run (removes it for --memory). */
void sup_release_upper(struct sup_upper *u);

#endif
