/* Scope-bound cleanup (preload-safe): RW_AUTOCLOSE closes an fd, RW_AUTOFREE frees memory,
 * both keeping errno intact so a failing call's errno survives the unwind. */
#ifndef RW_CLEANUP_H
#define RW_CLEANUP_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static inline void rw_closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);   /* never retried: the fd is released even on EINTR */
                errno = saved;
        }
}

static inline void rw_freep(void *p)
{
        int saved = errno;
        free(*(void **)p);
        errno = saved;
}

/* Moves ownership out of a RW_AUTOCLOSE variable. */
static inline int rw_take_fd(int *fd)
{
        int r = *fd;
        *fd = -1;
        return r;
}

#define RW_AUTOCLOSE __attribute__((cleanup(rw_closep)))
#define RW_AUTOFREE  __attribute__((cleanup(rw_freep)))

#endif
