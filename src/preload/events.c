/* Emitting event records: one NDJSON line per call, appended to the thread's spool slot
 * (preload/spool.c) under trace and check, else written with one write(2) on an O_APPEND fd. */
#include "preload/state.h"

#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "core/path.h"
#include "core/sys.h"
#include "preload/spool.h"

/* Cached: getpid() on every event would double the cost of tracing a write. Reset in the
 * child after fork (pthread_atfork, registered by the constructor); exec starts afresh. */
static pid_t cached_pid;

void preload_events_after_fork(void)
{
        cached_pid = 0;
        preload_spool_after_fork();
}

/* dladdr() walks the loaded objects on every call: remember the last answers per thread
 * (per thread, so no lock and no torn entry). Return addresses repeat: a program writes
 * from few call sites. */
#define CALLER_CACHE_SIZE 64
static __thread struct { const void *addr; const char *name; } caller_cache[CALLER_CACHE_SIZE];

static const char *caller_name(const void *caller)
{
        size_t slot = ((uintptr_t)caller >> 4) % CALLER_CACHE_SIZE;
        Dl_info info;

        if (!caller)
                return NULL;
        if (caller_cache[slot].addr == caller)
                return caller_cache[slot].name;
        if (!dladdr(caller, &info) || !info.dli_fname)
                return NULL;
        caller_cache[slot].addr = caller;
        caller_cache[slot].name = info.dli_fname;   /* lives as long as the object is loaded */
        return info.dli_fname;
}

/* Under `check`, Landlock refuses writes outside the writable set, so successful writes need
 * no record, except metadata changes Landlock does not govern (chmod, chown, utime, xattrs):
 * those are recorded and the check front end compares them with the writable set. */
static int worth_recording(const char *op, enum rw_action action)
{
        static const char *const metadata_ops[] = { "chmod", "chown", "utimens", "setxattr", "removexattr" };

        if (action != RW_ACTION_OK || preload_engine.mode != RW_MODE_CHECK)
                return 1;
        for (size_t i = 0; i < sizeof(metadata_ops) / sizeof(metadata_ops[0]); i++)
                if (strcmp(op, metadata_ops[i]) == 0)
                        return 1;
        return 0;
}

void preload_event(const char *op, int dirfd, const char *path, const char *path2, int flags,
                   int err, enum rw_action action, const void *caller)
{
        char abs[PATH_MAX], abs2[PATH_MAX], line[2 * PATH_MAX + 1024];
        struct rw_event ev = {
                .op = op, .open_flags = flags, .errnum = err, .action = action,
        };
        int saved = errno, n;

        if (preload_events_fd < 0 || preload_busy)
                return;
        if (preload_engine.mode == RW_MODE_RUN && action == RW_ACTION_OK)
                return;   /* run -v reports only what was redirected or refused */
        if (!worth_recording(op, action))
                return;
        preload_busy = 1;
        if (!cached_pid)
                cached_pid = (pid_t)RW_SYSCALL(SYS_getpid);
        ev.pid = cached_pid;
        ev.path = preload_abs_path(dirfd, path, abs, sizeof(abs)) >= 0 ? abs : (path ? path : "");
        if (path2)
                ev.path2 = preload_abs_path(AT_FDCWD, path2, abs2, sizeof(abs2)) >= 0 ? abs2 : path2;
        ev.caller = caller_name(caller);
        n = rw_event_format(line, sizeof(line), &ev);
        if (n > 0 && preload_spool_write(line, (size_t)n) < 0)
                rw_write(preload_events_fd, line, (size_t)n);
        preload_busy = 0;
        errno = saved;
}
