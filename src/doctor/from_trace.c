/* --from TRACE.json: the fix built from the writes a trace or check run observed.
 * Input is the NDJSON of src/core/event.h, or of 'rwshim trace --json' (the same fields, plus
 * "write" and "denied" booleans); only lines that write matter. */
#include "doctor/doctor.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Operations that change the filesystem whatever their flags. */
static const char *const write_ops[] = {
        "creat", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "rename", "renameat",
        "renameat2", "link", "linkat", "symlink", "symlinkat", "truncate", "chmod", "fchmodat",
        "chown", "lchown", "fchownat", "utime", "utimes", "utimensat", "futimesat", "mknod",
        "mknodat", "setxattr", "lsetxattr", "removexattr", "lremovexattr", "mkfifo", "mkstemp",
        "mkdtemp", "copy_up",
};

static bool flags_write(const char *flags)
{
        return flags && (strstr(flags, "O_WRONLY") || strstr(flags, "O_RDWR") ||
                         strstr(flags, "O_CREAT") || strstr(flags, "O_TRUNC") ||
                         strstr(flags, "O_APPEND") || strstr(flags, "W_OK"));
}

static bool is_write(const char *op, const char *flags)
{
        for (size_t i = 0; i < sizeof(write_ops) / sizeof(write_ops[0]); i++)
                if (strcmp(op, write_ops[i]) == 0)
                        return true;
        /* open, openat, fopen, access(W_OK): a write only by their flags. */
        return flags_write(flags);
}

static bool is_dir_op(const char *op)
{
        return strncmp(op, "mkdir", 5) == 0 || strcmp(op, "rmdir") == 0 ||
               strcmp(op, "mkdtemp") == 0;
}

/* Pseudo filesystems: writes there are not about storage. */
static bool ignored_path(const char *path)
{
        static const char *const roots[] = { "/proc/", "/sys/", "/dev/" };

        if (strcmp(path, "/dev/shm") != 0 && strncmp(path, "/dev/shm/", 9) != 0)
                for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
                        if (strncmp(path, roots[i], strlen(roots[i])) == 0)
                                return true;
        return false;
}

/* One written path: a KB tool's dir if one matches, else the dir the write needs. */
static int add_path(struct doctor_plan *p, const struct rw_kb *kb, const struct rw_kb_ctx *ctx,
                    const char *path, bool is_dir, const char *action)
{
        struct rw_kb_match m;
        char reason[PATH_MAX + 64];
        int r;

        if (ignored_path(path))
                return 0;
        r = rw_kb_match_path(kb, path, ctx, &m);
        if (r < 0)
                return 0;   /* not absolute: a malformed record, nothing to mount */
        if (r > 0) {
                r = doctor_add_tool(p, m.tool, m.dir, strcmp(action, "ok") == 0);
                return r < 0 ? r : doctor_fix_kb_path(p, m.tool, m.path, m.dir);
        }
        snprintf(reason, sizeof(reason), "observed: %s %s", action, path);
        return doctor_fix_plain_path(p, path, is_dir, reason);
}

static const char *str(json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key));
}

static int add_event(struct doctor_plan *p, const struct rw_kb *kb, const struct rw_kb_ctx *ctx,
                     json_t *ev)
{
        const char *op = str(ev, "op"), *path = str(ev, "path"), *path2 = str(ev, "path2");
        const char *action = str(ev, "action"), *kind = str(ev, "ev");
        json_t *write = json_object_get(ev, "write");
        int r;

        /* "ev" is "fs" in event records; trace --json lines carry no "ev" but the same fields. */
        if (!op || !path || (kind && strcmp(kind, "fs") != 0))
                return 0;
        if (!action)
                action = "ok";
        /* A write that failed for another reason (ENOENT for a missing parent, EEXIST) is a
         * consequence of something else in the trace, not a dir to make writable. */
        if (strcmp(action, "failed") == 0)
                return 0;
        if (json_is_boolean(write) ? !json_is_true(write) : !is_write(op, str(ev, "flags")))
                return 0;
        r = add_path(p, kb, ctx, path, is_dir_op(op), action);
        if (r >= 0 && path2)
                r = add_path(p, kb, ctx, path2, false, action);
        return r;
}

/* Observed writes say where, not who: match with generic values, since the traced process
 * may have had another HOME or TMPDIR than doctor. */
static void trace_ctx(struct rw_kb_ctx *ctx)
{
        memset(ctx, 0, sizeof(*ctx));
        ctx->uid = -1;
}

int doctor_from_trace(struct doctor_plan *p, const struct rw_kb *kb, const char *file,
                      struct rw_err *e)
{
        FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "re");
        struct rw_kb_ctx ctx;
        char *line = NULL;
        size_t cap = 0, lineno = 0, events = 0;
        ssize_t n;
        int r = 0;

        if (!f)
                return rw_err_set(e, errno, "open trace", file);
        trace_ctx(&ctx);
        while (r >= 0 && (n = getline(&line, &cap, f)) > 0) {
                json_error_t jerr;
                json_t *ev;

                lineno++;
                if (strspn(line, " \t\r\n") == (size_t)n)
                        continue;
                ev = json_loadb(line, (size_t)n, 0, &jerr);
                if (!ev || !json_is_object(ev)) {
                        json_decref(ev);
                        rw_err_set(e, EINVAL, "read trace (not NDJSON)", file);
                        r = rw_err_hint(e, "line %zu: %s", lineno, ev ? "not an object" : jerr.text);
                        break;
                }
                events++;
                r = add_event(p, kb, &ctx, ev);
                json_decref(ev);
                if (r < 0)
                        r = rw_err_set(e, -r, "build fix from trace", file);
        }
        free(line);
        if (f != stdin)
                fclose(f);
        if (r >= 0 && events == 0)
                r = rw_err_set(e, ENODATA, "read trace (no events)", file);
        return r;
}
