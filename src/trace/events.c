/* Reading an event log back; see events.h. Records from several processes are interleaved in file
 * order, each line whole (one write(2) per record), so records are parsed independently. */
#include "trace/events.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"

/* ---- The fast path for the records the preload writes by the ten thousand: a flat JSON
 * object whose values are strings, null or integers ({"ev":"fs",...}, {"ev":"lost",...}).
 * Parsing them with jansson (a hash table and a malloc per value) was a fifth of `rwshim trace`'s
 * time on a big untar. Anything else (arrays, nesting, other escapes, non-ASCII bytes, duplicate
 * keys, odd numbers) is "not flat", and the line goes to jansson, so both paths accept and reject
 * the same lines. Total on any bytes (tests/fuzz/fuzz_events.c). */
#define TRACE_FLAT_MAX_FIELDS 16

enum trace_flat_type { TRACE_FLAT_STRING, TRACE_FLAT_NULL, TRACE_FLAT_INT };

struct trace_flat_field {
        const char *key;            /* in the arena */
        enum trace_flat_type type;
        const char *str;            /* TRACE_FLAT_STRING: decoded, in the arena */
        long long num;              /* TRACE_FLAT_INT */
};

struct trace_flat_record {
        struct trace_flat_field f[TRACE_FLAT_MAX_FIELDS];
        size_t n;
};


/* Blocks double from ARENA_FIRST to ARENA_BLOCK: a short trace (most runs) does not pay for
 * a megabyte it never touches, a long one makes few blocks. */
#define ARENA_FIRST (16 * 1024)
#define ARENA_BLOCK (1024 * 1024)

struct trace_arena_block {
        struct trace_arena_block *next;
        size_t used, size;
        char data[];
};

static char *flat_arena_alloc(struct trace_arena *a, size_t n)
{
        struct trace_arena_block *b = a->head;

        if (!b || b->size - b->used < n) {
                size_t grow = b ? (b->size < ARENA_BLOCK / 2 ? b->size * 2 : ARENA_BLOCK) : ARENA_FIRST;
                size_t size = n > grow ? n : grow;
                b = malloc(sizeof(*b) + size);
                if (!b)
                        return NULL;
                b->next = a->head;
                b->used = 0;
                b->size = size;
                a->head = b;
        }
        b->used += n;
        return b->data + b->used - n;
}

static void trace_arena_free(struct trace_arena *a)
{
        while (a->head) {
                struct trace_arena_block *next = a->head->next;
                free(a->head);
                a->head = next;
        }
}

struct flat_cursor { const char *p, *end; };

static int flat_hex_digit(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* A string at c->p (on its opening quote). Only what our writers emit takes this path: printable
 * ASCII, \" \\ and \u00XX for a control byte or DEL; anything else is not flat (0). */
static int flat_string(struct flat_cursor *c, struct trace_arena *a, const char **ret)
{
        const char *s = c->p + 1, *q = s;
        size_t out_len = 0;

        for (;; q++) {
                if (q >= c->end)
                        return 0;
                unsigned char ch = (unsigned char)*q;
                if (ch == '"')
                        break;
                if (ch < 0x20 || ch >= 0x80)
                        return 0;
                if (ch == '\\') {
                        if (q + 1 >= c->end)
                                return 0;
                        if (q[1] == '"' || q[1] == '\\') {
                                q++;
                        } else if (q[1] == 'u' && q + 5 < c->end && q[2] == '0' && q[3] == '0' &&
                                   flat_hex_digit(q[4]) >= 0 && flat_hex_digit(q[5]) >= 0) {
                                int v = flat_hex_digit(q[4]) * 16 + flat_hex_digit(q[5]);
                                if (v == 0 || v >= 0x80)
                                        return 0;   /* NUL and non-ASCII: jansson's rules apply */
                                q += 5;
                        } else {
                                return 0;
                        }
                }
                out_len++;
        }
        char *out = flat_arena_alloc(a, out_len + 1), *o = out;
        if (!out)
                return -ENOMEM;
        for (const char *p = s; p < q; p++) {
                if (*p != '\\') {
                        *o++ = *p;
                } else if (p[1] == 'u') {
                        *o++ = (char)(flat_hex_digit(p[4]) * 16 + flat_hex_digit(p[5]));
                        p += 5;
                } else {
                        *o++ = *++p;
                }
        }
        *o = '\0';
        c->p = q + 1;
        *ret = out;
        return 1;
}

/* JSON's integer grammar (-?(0|[1-9][0-9]*)), within long long; a fraction or exponent is not flat. */
static int flat_int(struct flat_cursor *c, long long *ret)
{
        const char *p = c->p;
        int neg = 0;
        unsigned long long v = 0;

        if (p < c->end && *p == '-')
                neg = 1, p++;
        if (p >= c->end || *p < '0' || *p > '9')
                return 0;
        if (*p == '0' && p + 1 < c->end && p[1] >= '0' && p[1] <= '9')
                return 0;
        for (; p < c->end && *p >= '0' && *p <= '9'; p++) {
                if (v > (unsigned long long)LLONG_MAX / 10)
                        return 0;
                v = v * 10 + (unsigned long long)(*p - '0');
                if (v > (unsigned long long)LLONG_MAX)
                        return 0;
        }
        if (p < c->end && (*p == '.' || *p == 'e' || *p == 'E'))
                return 0;
        *ret = neg ? -(long long)v : (long long)v;
        c->p = p;
        return 1;
}

static int flat_value(struct flat_cursor *c, struct trace_arena *a, struct trace_flat_field *f)
{
        if (c->p >= c->end)
                return 0;
        if (*c->p == '"') {
                f->type = TRACE_FLAT_STRING;
                return flat_string(c, a, &f->str);
        }
        if (c->end - c->p >= 4 && memcmp(c->p, "null", 4) == 0) {
                f->type = TRACE_FLAT_NULL;
                c->p += 4;
                return 1;
        }
        f->type = TRACE_FLAT_INT;
        return flat_int(c, &f->num);
}

static int flat_duplicate(const struct trace_flat_record *r, const char *key)
{
        for (size_t i = 0; i < r->n; i++)
                if (strcmp(r->f[i].key, key) == 0)
                        return 1;
        return 0;
}

static int trace_flat_parse(const char *line, size_t len, struct trace_arena *a, struct trace_flat_record *r)
{
        struct flat_cursor c = { line, line + len };
        int k;

        r->n = 0;
        /* Our writers emit no blanks inside a record: a blank anywhere but the end is not flat. */
        while (c.end > c.p && (c.end[-1] == '\n' || c.end[-1] == ' ' || c.end[-1] == '\t' || c.end[-1] == '\r'))
                c.end--;
        if (c.end - c.p < 2 || *c.p != '{' || c.end[-1] != '}')
                return 0;
        c.p++;
        c.end--;   /* the closing brace */
        if (c.p == c.end)
                return 0;   /* {} : let jansson have it */
        for (;;) {
                struct trace_flat_field f;

                if (r->n == TRACE_FLAT_MAX_FIELDS || c.p >= c.end || *c.p != '"')
                        return 0;
                if ((k = flat_string(&c, a, &f.key)) <= 0)
                        return k;
                if (c.p >= c.end || *c.p != ':')
                        return 0;
                c.p++;
                if ((k = flat_value(&c, a, &f)) <= 0)
                        return k;
                if (flat_duplicate(r, f.key))
                        return 0;   /* jansson rejects it (JSON_REJECT_DUPLICATES): same answer there */
                r->f[r->n++] = f;
                if (c.p == c.end)
                        return 1;
                if (*c.p != ',')
                        return 0;
                c.p++;
        }
}

static const struct trace_flat_field *flat_field_of(const struct trace_flat_record *r, const char *key)
{
        for (size_t i = 0; i < r->n; i++)
                if (strcmp(r->f[i].key, key) == 0)
                        return &r->f[i];
        return NULL;
}

static const char *trace_flat_str(const struct trace_flat_record *r, const char *key)
{
        const struct trace_flat_field *f = flat_field_of(r, key);

        return f && f->type == TRACE_FLAT_STRING ? f->str : NULL;
}

static long long trace_flat_int(const struct trace_flat_record *r, const char *key)
{
        const struct trace_flat_field *f = flat_field_of(r, key);

        return f && f->type == TRACE_FLAT_INT ? f->num : 0;
}

/* ---- Records */

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

/* The values of an "fs" or "lost" record, read from jansson or from the flat fast path. */
struct fs_values {
        const char *kind, *op, *path, *path2, *flags, *errname, *action, *caller;
        pid_t pid;
        long long records;
};

static void values_of_json(const json_t *o, struct fs_values *v)
{
        *v = (struct fs_values){
                .kind = str(o, "ev"), .op = str(o, "op"), .path = str(o, "path"), .path2 = str(o, "path2"),
                .flags = str(o, "flags"), .errname = str(o, "errno"), .action = str(o, "action"),
                .caller = str(o, "caller"), .pid = pid_of(o, "pid"),
                .records = json_integer_value(json_object_get(o, "records")),
        };
}

static void values_of_flat(const struct trace_flat_record *r, struct fs_values *v)
{
        *v = (struct fs_values){
                .kind = trace_flat_str(r, "ev"), .op = trace_flat_str(r, "op"), .path = trace_flat_str(r, "path"),
                .path2 = trace_flat_str(r, "path2"), .flags = trace_flat_str(r, "flags"),
                .errname = trace_flat_str(r, "errno"), .action = trace_flat_str(r, "action"),
                .caller = trace_flat_str(r, "caller"), .pid = (pid_t)trace_flat_int(r, "pid"),
                .records = trace_flat_int(r, "records"),
        };
}

static int add_fs(struct trace_log *log, const struct fs_values *v)
{
        struct trace_event *ev;

        if (!v->op || !v->path)
                return -EINVAL;
        if (grow((void **)&log->events, log->nevents, sizeof(*ev)) < 0)
                return -ENOMEM;
        ev = &log->events[log->nevents++];
        memset(ev, 0, sizeof(*ev));
        ev->pid = v->pid;
        ev->op = v->op;
        ev->path = v->path;
        ev->path2 = v->path2;
        ev->flags = v->flags;
        ev->errname = v->errname;
        ev->action = v->action;
        ev->caller = v->caller;
        ev->py_seen = log->npy;   /* linked once every record is in: the array may still move */
        return 0;
}

static int add_lost(struct trace_log *log, const struct fs_values *v)
{
        if (v->records <= 0 || v->records > 1000000)
                return -EINVAL;
        log->lost_records += (size_t)v->records;
        for (size_t i = 0; i < log->nlost_pids; i++)
                if (log->lost_pids[i] == v->pid)
                        return 0;
        if (log->nlost_pids < TRACE_MAX_FRAMES)
                log->lost_pids[log->nlost_pids++] = v->pid;
        return 0;
}

static int beneath(const char *path, const char *tree)
{
        size_t len = strlen(tree);

        return path && strncmp(path, tree, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

static int about(const char *p, const char *p2, const char *const *ignore)
{
        for (size_t i = 0; ignore && ignore[i]; i++)
                if (beneath(p, ignore[i]) || beneath(p2, ignore[i]))
                        return 1;
        return 0;
}

static int is(const char *kind, const char *name)
{
        return kind && strcmp(kind, name) == 0;
}

static int add_record(struct trace_log *log, json_t *o, const char *const *ignore)
{
        const char *kind = str(o, "ev");
        struct fs_values v;

        if (about(str(o, "path"), str(o, "path2"), ignore))
                return 0;
        if (is(kind, "proc"))
                return add_proc(log, o);
        if (is(kind, "py"))
                return add_py(log, o);
        values_of_json(o, &v);
        if (is(kind, "fs"))
                return add_fs(log, &v);
        if (is(kind, "lost"))
                return add_lost(log, &v);
        return -EINVAL;
}

/* The fast path: 1 when the flat record was taken (or refused as jansson would), 0 when it is
 * a kind the general path handles, -ENOMEM. */
static int add_flat(struct trace_log *log, const struct trace_flat_record *r, const char *const *ignore)
{
        struct fs_values v;
        int k;

        values_of_flat(r, &v);
        if (!is(v.kind, "fs") && !is(v.kind, "lost"))
                return 0;
        if (about(v.path, v.path2, ignore))
                return 1;
        k = is(v.kind, "fs") ? add_fs(log, &v) : add_lost(log, &v);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                log->bad_lines++;
        return 1;
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
        ssize_t len;

        while ((len = getline(&line, &cap, f)) > 0) {
                struct trace_flat_record flat;
                int r = trace_flat_parse(line, (size_t)len, &log->strings, &flat);

                if (r == 1)
                        r = add_flat(log, &flat, ignore);
                if (r == -ENOMEM)
                        return rw_err_set(e, ENOMEM, "read events", "");
                if (r == 1)
                        continue;
                json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, NULL);   /* to its first NUL, as ever */
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
        trace_arena_free(&log->strings);
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
