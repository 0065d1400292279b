/* The event log of one run, as read back from the NDJSON file the preload, the static backend
 * and the Python audit hook appended to (schema: src/core/event.h, docs/trace.md). */
#ifndef TRACE_EVENTS_H
#define TRACE_EVENTS_H

#include <stddef.h>
#include <sys/types.h>

#include "core/err.h"

#define TRACE_MAX_FRAMES 8

struct json_t;

struct trace_proc {                 /* {"ev":"proc"} */
        pid_t pid, ppid;
        const char *exe;
        struct json_t *argv;        /* JSON array, borrowed from the record */
};

struct trace_frame { const char *file; long line; };

struct trace_py {                   /* {"ev":"py"}: a Python audit event, with its stack */
        pid_t pid;
        const char *event;          /* "open", "os.mkdir", ... */
        const char *path, *path2;
        struct trace_frame frames[TRACE_MAX_FRAMES];   /* innermost first, stdlib left out */
        int nframes;
};

struct trace_attr {                 /* filled by trace_attribute() */
        const char *culprit;        /* library or program to blame */
        const char *tool;           /* knowledge-base tool name, or NULL */
        const char *knob;           /* the env var (or setting) that moves the path, or NULL */
        const char *fix;            /* the knowledge base's fix, or NULL when none is known */
        const char *effect;         /* what the program does about it, or NULL */
        /* The knob that moves this very path (trace_knowledge_knob), or NULL: the fix then is a
         * mount, a file mount or rwshim run (core/advice.h). */
        const char *knob_env, *knob_tool;
        const char *knob_relocate;  /* the knowledge base's template for its value, or NULL */
        int knob_ram_ok;
        char culprit_buf[128];
};

struct trace_event {                /* {"ev":"fs"} */
        pid_t pid;
        const char *op, *path, *path2, *flags, *errname, *action, *caller;
        const struct trace_proc *proc;    /* its process record, or NULL */
        const struct trace_py *py;        /* the Python call that made it, or NULL */
        size_t py_seen;                   /* Python records read before this one */
        struct trace_attr attr;
};

/* Stable storage for the strings of records read by the fast path: blocks that never move. */
struct trace_arena_block;
struct trace_arena { struct trace_arena_block *head; };

struct trace_log {
        struct trace_event *events; size_t nevents;
        struct trace_proc *procs;   size_t nprocs;
        struct trace_py *py;        size_t npy;
        struct json_t **records;    size_t nrecords;   /* owned; strings above point into them */
        struct trace_arena strings; /* owned: the strings of records read by the fast path */
        size_t bad_lines;           /* lines that were not valid records (a killed writer) */
        /* {"ev":"lost"}: records a process lost when it was killed in the middle of writing one
         * (trace/spool.c), and the first of those processes. */
        size_t lost_records;
        pid_t lost_pids[TRACE_MAX_FRAMES];
        size_t nlost_pids;
};

/* Reads every record from fd (from offset 0; fd is not closed) into log, skipping records about
 * paths beneath any of ignore[] (NULL-terminated, or NULL: rwshim's own event file and Python
 * hook). Links events to their process and Python call. Returns 0 or -errno with e set. */
int trace_log_read_fd(struct trace_log *log, int fd, const char *const *ignore, struct rw_err *e);

/* Same, from a file by name. */
int trace_log_read_path(struct trace_log *log, const char *path, struct rw_err *e);

void trace_log_free(struct trace_log *log);

/* The process record of pid, or NULL. */
const struct trace_proc *trace_log_proc(const struct trace_log *log, pid_t pid);

/* 1 if the event was refused (EACCES, EPERM, EROFS, or Landlock's EXDEV on a rename). */
int trace_event_denied(const struct trace_event *ev);

/* 1 if the event creates, writes, truncates, renames, links, removes or changes metadata. */
int trace_event_is_write(const struct trace_event *ev);

#endif
