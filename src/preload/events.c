/* Emitting event records: one NDJSON line per call, one write(2) on an O_APPEND fd. */
#include "preload/state.h"

#include <string.h>

#include "core/sys.h"

void preload_event(const char *op, int dirfd, const char *path, const char *path2, int flags,
                   int err, enum rw_action action, const void *caller)
{
        char abs[PATH_MAX], abs2[PATH_MAX], line[2 * PATH_MAX + 1024];
        struct rw_event ev = {
                .op = op, .open_flags = flags, .errnum = err, .action = action,
        };
        Dl_info info;
        int saved = errno, n;

        if (preload_events_fd < 0 || preload_busy)
                return;
        if (preload_engine.mode == RW_MODE_RUN && action == RW_ACTION_OK)
                return;   /* run -v reports only what was redirected or refused */
        preload_busy = 1;
        ev.pid = (pid_t)syscall(SYS_getpid);
        ev.path = preload_abs_path(dirfd, path, abs, sizeof(abs)) >= 0 ? abs : (path ? path : "");
        if (path2)
                ev.path2 = preload_abs_path(AT_FDCWD, path2, abs2, sizeof(abs2)) >= 0 ? abs2 : path2;
        if (caller && dladdr(caller, &info) && info.dli_fname)
                ev.caller = info.dli_fname;
        n = rw_event_format(line, sizeof(line), &ev);
        if (n > 0)
                rw_write(preload_events_fd, line, (size_t)n);
        preload_busy = 0;
        errno = saved;
}
