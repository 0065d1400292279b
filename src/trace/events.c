/* Reading an event log back; see events.h. Records from several processes are interleaved in file
 * order, each line whole (one write(2) per record), so records are parsed independently. */
#include "trace/events.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"

/* Makes room for element n of an array whose capacity is 16, then doubles at each power of two. */
static int grow(void **arr, size_t n, size_t elem)
{
        void *p;

        if (n != 0 && (n < 16 || (n & (n - 1)) != 0))
                return 0;
        p = realloc(*arr, (n ? n * 2 : 16) * elem);
        if (!p)
                return -ENOMEM;
        *arr = p;
        return 0;
}

static const char *str(const json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key));
}

static pid_t pid_of(const json_t *o, const char *key)
{
        return (pid_t)json_integer_value(json_object_get(o, key));
}

static int add_proc(struct trace_log *log, json_t *o)
{
        struct trace_proc *p;

        if (grow((void **)&log->procs, log->nprocs, sizeof(*p)) < 0)
                return -ENOMEM;
        p = &log->procs[log->nprocs++];
        p->pid = pid_of(o, "pid");
        p->ppid = pid_of(o, "ppid");
        p->exe = str(o, "exe");
        p->argv = json_object_get(o, "argv");
        return 0;
}

static int add_py(struct trace_log *log, json_t *o)
{
        json_t *stack = json_object_get(o, "stack"), *fr;
        struct trace_py *p;
        size_t i;

        if (grow((void **)&log->py, log->npy, sizeof(*p)) < 0)
                return -ENOMEM;
        p = &log->py[log->npy++];
        memset(p, 0, sizeof(*p));
        p->pid = pid_of(o, "pid");
        p->event = str(o, "event");
        p->path = str(o, "path");
        p->path2 = str(o, "path2");
        json_array_foreach(stack, i, fr) {
                if (p->nframes == TRACE_MAX_FRAMES)
                        break;
                p->frames[p->nframes].file = json_string_value(json_array_get(fr, 0));
                p->frames[p->nframes].line = (long)json_integer_value(json_array_get(fr, 1));
                if (p->frames[p->nframes].file)
                        p->nframes++;
        }
        return 0;
}

static int add_fs(struct trace_log *log, json_t *o)
{
        struct trace_event *ev;

        if (!str(o, "op") || !str(o, "path"))
                return -EINVAL;
        if (grow((void **)&log->events, log->nevents, sizeof(*ev)) < 0)
                return -ENOMEM;
        ev = &log->events[log->nevents++];
        memset(ev, 0, sizeof(*ev));
        ev->pid = pid_of(o, "pid");
        ev->op = str(o, "op");
        ev->path = str(o, "path");
        ev->path2 = str(o, "path2");
        ev->flags = str(o, "flags");
        ev->errname = str(o, "errno");
        ev->action = str(o, "action");
        ev->caller = str(o, "caller");
        ev->py_seen = log->npy;   /* linked once every record is in: the array may still move */
        return 0;
}

static int add_lost(struct trace_log *log, json_t *o)
{
        json_int_t n = json_integer_value(json_object_get(o, "records"));
        pid_t pid = pid_of(o, "pid");

        if (n <= 0 || n > 1000000)
                return -EINVAL;
        log->lost_records += (size_t)n;
        for (size_t i = 0; i < log->nlost_pids; i++)
                if (log->lost_pids[i] == pid)
                        return 0;
        if (log->nlost_pids < TRACE_MAX_FRAMES)
                log->lost_pids[log->nlost_pids++] = pid;
        return 0;
}

static int beneath(const char *path, const char *tree)
{
        size_t len = strlen(tree);

        return path && strncmp(path, tree, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

static int about(const json_t *o, const char *const *ignore)
{
        const char *p = str(o, "path"), *p2 = str(o, "path2");

        for (size_t i = 0; ignore && ignore[i]; i++)
                if (beneath(p, ignore[i]) || beneath(p2, ignore[i]))
                        return 1;
        return 0;
}

static int add_record(struct trace_log *log, json_t *o, const char *const *ignore)
{
        const char *kind = str(o, "ev");

        if (about(o, ignore))
                return 0;
        if (kind && strcmp(kind, "proc") == 0)
                return add_proc(log, o);
        if (kind && strcmp(kind, "py") == 0)
                return add_py(log, o);
        if (kind && strcmp(kind, "fs") == 0)
                return add_fs(log, o);
        if (kind && strcmp(kind, "lost") == 0)
                return add_lost(log, o);
        return -EINVAL;
}

static int keep_record(struct trace_log *log, json_t *o)
{
        if (grow((void **)&log->records, log->nrecords, sizeof(*log->records)) < 0)
                return -ENOMEM;
        log->records[log->nrecords++] = o;
        return 0;
}

static int same_path(const char *a, const char *b)
{
        return a && b && strcmp(a, b) == 0;
}

static int py_names(const struct trace_py *p, const struct trace_event *ev)
{
        return p->pid == ev->pid && (same_path(p->path, ev->path) || same_path(p->path2, ev->path) ||
                                     same_path(p->path, ev->path2));
}

/* The Python call behind an event: an audit record of the same process, before the event in the
 * file, naming the same path. The hook fires just before the call, in the same process, and
 * writes its record at once, while the preload's record of the call may wait in the spool:
 * several Python records can precede a batch of the preload's. So the earliest record after the
 * one the process's previous event matched is taken first (calls pair up in order), else the
 * latest one before it (one Python call that made several libc calls). *last is that process's
 * previous match (SIZE_MAX: none). */
static const struct trace_py *match_py(const struct trace_log *log, const struct trace_event *ev,
                                       size_t npy_before, size_t *last)
{
        size_t from = *last == SIZE_MAX ? 0 : *last + 1;

        for (size_t i = from; i < npy_before; i++)
                if (py_names(&log->py[i], ev))
                        return *last = i, &log->py[i];
        for (size_t i = from < npy_before ? from : npy_before; i-- > 0;)
                if (py_names(&log->py[i], ev))
                        return &log->py[i];
        return NULL;
}

/* The previous match of each process, in a small table of recent processes (a miss only makes
 * the search start earlier). */
#define LAST_MATCH_SLOTS 64

static void link_records(struct trace_log *log)
{
        struct { pid_t pid; size_t last; } table[LAST_MATCH_SLOTS];

        for (size_t i = 0; i < LAST_MATCH_SLOTS; i++)
                table[i].pid = -1, table[i].last = SIZE_MAX;
        for (size_t i = 0; i < log->nevents; i++) {
                struct trace_event *ev = &log->events[i];
                size_t slot = (size_t)ev->pid % LAST_MATCH_SLOTS;

                if (table[slot].pid != ev->pid)
                        table[slot].pid = ev->pid, table[slot].last = SIZE_MAX;
                ev->proc = trace_log_proc(log, ev->pid);
                ev->py = log->npy ? match_py(log, ev, ev->py_seen, &table[slot].last) : NULL;
        }
}

static int read_lines(struct trace_log *log, FILE *f, const char *const *ignore, struct rw_err *e)
{
        RW_AUTOFREE char *line = NULL;
        size_t cap = 0;

        while (getline(&line, &cap, f) > 0) {
                json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
                int r;

                if (!o || !json_is_object(o)) {
                        json_decref(o);
                        log->bad_lines++;
                        continue;
                }
                if (keep_record(log, o) < 0) {
                        json_decref(o);
                        return rw_err_set(e, ENOMEM, "read events", "");
                }
                r = add_record(log, o, ignore);
                if (r == -ENOMEM)
                        return rw_err_set(e, ENOMEM, "read events", "");
                if (r < 0)
                        log->bad_lines++;
        }
        if (ferror(f))
                return rw_err_set(e, errno, "read events", "");
        link_records(log);
        return 0;
}

int trace_log_read_fd(struct trace_log *log, int fd, const char *const *ignore, struct rw_err *e)
{
        int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        FILE *f;
        int r;

        memset(log, 0, sizeof(*log));
        if (copy < 0)
                return rw_err_set(e, errno, "read events", "");
        f = fdopen(copy, "r");
        if (!f) {
                close(copy);
                return rw_err_set(e, errno, "read events", "");
        }
        if (fseek(f, 0, SEEK_SET) < 0) {
                fclose(f);
                return rw_err_set(e, errno, "read events", "");
        }
        r = read_lines(log, f, ignore, e);
        fclose(f);
        return r;
}

int trace_log_read_path(struct trace_log *log, const char *path, struct rw_err *e)
{
        RW_AUTOCLOSE int fd = open(path, O_RDONLY | O_CLOEXEC);
        int r;

        memset(log, 0, sizeof(*log));
        if (fd < 0)
                return rw_err_set(e, errno, "open events", path);
        r = trace_log_read_fd(log, fd, NULL, e);
        if (r < 0 && e->path[0] == '\0')
                rw_err_set(e, e->errnum, e->op, path);
        return r;
}

void trace_log_free(struct trace_log *log)
{
        for (size_t i = 0; i < log->nrecords; i++)
                json_decref(log->records[i]);
        free(log->records);
        free(log->events);
        free(log->procs);
        free(log->py);
        memset(log, 0, sizeof(*log));
}

const struct trace_proc *trace_log_proc(const struct trace_log *log, pid_t pid)
{
        /* The last record wins: a process that exec'd has a newer image. */
        for (size_t i = log->nprocs; i-- > 0;)
                if (log->procs[i].pid == pid)
                        return &log->procs[i];
        return NULL;
}
