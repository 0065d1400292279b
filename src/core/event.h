/* Event records (preload-safe): what every front door (run -v, trace, check) observes.
 *
 * The preload appends one NDJSON line per event to the file named by $RWSHIM_EVENTS, with a
 * single write(2) on an O_APPEND fd, so lines from concurrent processes never interleave.
 * Schema (docs/design.md, "Event records"):
 *   {"ev":"proc","pid":N,"ppid":N,"exe":"...","argv":["..."]}        once per process image
 *   {"ev":"fs","pid":N,"op":"open","path":"/abs","flags":"O_WRONLY|O_CREAT",
 *    "errno":"EACCES"|null,"action":"denied|redirected|ok","caller":"/lib/..so"}
 */
#ifndef RW_EVENT_H
#define RW_EVENT_H

#include <stddef.h>
#include <sys/types.h>

enum rw_action {
        RW_ACTION_OK = 0,       /* the call succeeded on the real filesystem */
        RW_ACTION_DENIED,       /* failed with EACCES/EPERM/EROFS and was not redirected */
        RW_ACTION_REDIRECTED,   /* failed natively, then succeeded in the upper dir */
        RW_ACTION_FAILED,       /* failed with another errno (recorded only with --all) */
};

struct rw_event {
        pid_t pid;
        const char *op;         /* "open", "mkdir", "rename", ... */
        const char *path;       /* absolute, lexically normalised */
        const char *path2;      /* rename/link target, or NULL */
        int open_flags;         /* for open-like ops, else -1 */
        int errnum;             /* 0 on success */
        enum rw_action action;
        const char *caller;     /* shared object that made the call, or NULL */
};

/* Formats one event as an NDJSON line (with '\n') into buf; returns its length, or -ENAMETOOLONG
 * if it does not fit. Strings are JSON-escaped. No allocation. */
int rw_event_format(char *buf, size_t size, const struct rw_event *ev);

/* Formats the per-process record {"ev":"proc",...}; argv may be NULL. Same contract. */
int rw_event_format_proc(char *buf, size_t size, pid_t pid, pid_t ppid, const char *exe,
                         char *const *argv);

/* Symbolic name of an errno value ("EACCES"), or NULL if unknown. */
const char *rw_errno_name(int errnum);

#endif
