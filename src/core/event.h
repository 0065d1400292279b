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

/* The spool: one shared file ($RWSHIM_SPOOL, created and sized by trace/check) that every traced
 * thread appends its records to in memory, with no syscall per event. It is MAP_SHARED and
 * file-backed, so what a process wrote is still there when it crashes or is SIGKILLed: the
 * supervisor appends what is left to the event stream when the command ends.
 * Layout: a header page (the slot states), then RW_SPOOL_SLOTS slots of RW_SPOOL_SLOT_SIZE bytes,
 * each owned by one thread at a time (a single writer: no lock, no atomic read-modify-write on
 * the event path). A slot holds whole NDJSON lines, the very records of the event stream, in
 * [0, end); `pending` is non-zero while a record is being written past end, so a writer killed in
 * the middle of one leaves pending set (and != end): the drain then reports that record lost. */
#define RW_SPOOL_MAGIC 0x4c4f4f50535752ULL   /* "RWSPOOL" */
#define RW_SPOOL_SLOTS 960
#define RW_SPOOL_HEADER_SIZE 4096
#define RW_SPOOL_SLOT_SIZE (64 * 1024)
#define RW_SPOOL_SLOT_HEADER 64
#define RW_SPOOL_FILE_SIZE ((size_t)RW_SPOOL_HEADER_SIZE + (size_t)RW_SPOOL_SLOTS * RW_SPOOL_SLOT_SIZE)

enum { RW_SPOOL_FREE = 0, RW_SPOOL_OWNED = 1 };

struct rw_spool_header {
        unsigned long long magic;
        unsigned nslots, slot_size;
        unsigned next_fresh;                    /* slots never used yet start here (atomic) */
        unsigned pad[11];
        unsigned state[RW_SPOOL_SLOTS];         /* RW_SPOOL_FREE / RW_SPOOL_OWNED (atomic) */
};

struct rw_spool_slot {
        unsigned pid, tid;
        unsigned end;                           /* bytes of whole records in data */
        unsigned pending;                       /* the end the record being written makes, or 0 */
        unsigned records;                       /* records in [0, end) */
        unsigned pad[11];
};

/* The bytes of one slot that are whole records, checked against the slot's bounds (the slot is
 * writable by the traced program: any bytes can be there). Returns the length of the committed
 * data at slot + RW_SPOOL_SLOT_HEADER (0 if none or the header is garbage); *ret_torn is set to 1
 * when a writer died in the middle of a record. */
size_t rw_spool_slot_committed(const struct rw_spool_slot *slot, int *ret_torn);

#endif
