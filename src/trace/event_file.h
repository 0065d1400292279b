/* The event file of one trace/check run. It is a memfd, named to children as /proc/<pid>/fd/<n>,
 * so a run needs no writable directory at all (the very thing the traced program may lack) and
 * leaves nothing behind; where /proc is not mounted it falls back to an unlinked-at-exit temp file. */
#ifndef TRACE_EVENT_FILE_H
#define TRACE_EVENT_FILE_H

#include <limits.h>

#include "core/err.h"

struct trace_event_file {
        int fd;                    /* read back from offset 0 when the run ends */
        char path[PATH_MAX];       /* what RWSHIM_EVENTS names */
        int on_disk;               /* 1: path is a temp file to unlink */
};

/* Returns 0 or -errno with e set. With on_disk, a temp file is tried first (in $TMPDIR, /tmp,
 * /dev/shm): Landlock refuses write opens of a memfd through /proc, but can grant a file. */
int trace_event_file_create(struct trace_event_file *f, int on_disk, struct rw_err *e);

/* Closes the fd and removes a temp file. */
void trace_event_file_close(struct trace_event_file *f);

#endif
