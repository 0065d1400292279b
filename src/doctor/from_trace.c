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

static bool is_replace_op(const char *op)
{
        return strncmp(op, "rename", 6) == 0 || strncmp(op, "link", 4) == 0 || strncmp(op, "unlink", 6) == 0 ||
               strcmp(op, "rmdir") == 0;
}

/* A file the program names the same way every time (no O_EXCL temp name). */
static bool has_fixed_name(const char *op, const char *flags)
{
        return strncmp(op, "mk", 2) != 0 && !(flags && strstr(flags, "O_EXCL"));
}

/* A template that is a bare variable ({tmp}) names a shared dir: its direct temp files follow
 * the variable, but a tree deeper inside (an app living in /var/tmp/app) is nobody's temp. */
static bool shared_dir_tree(const struct rw_kb_match *m, const char *path)
{
        const char *t = m->path->template, *rest = path + strlen(m->dir);
        size_t len = strlen(t);
        int depth = 0;

        if (len < 3 || t[0] != '{' || t[len - 1] != '}' || strchr(t + 1, '{'))
                return false;
        for (; *rest; rest++)
                depth += *rest == '/' && rest[1] && rest[1] != '/';
        return depth > 2;
}

/* One written path: a KB tool's dir if one matches, else what the write needs here. */
static int add_path(struct doctor_plan *p, const struct rw_kb_matcher *mt,
                    const char *path, bool is_dir, const char *action, const char *op, const char *flags)
{
        struct rw_kb_match m;
        char reason[PATH_MAX + 64];
        int r;

        if (ignored_path(path))
                return 0;
        r = rw_kb_matcher_match(mt, path, &m);
        if (r < 0)
                return 0;   /* not absolute: a malformed record, nothing to mount */
        if (r > 0 && shared_dir_tree(&m, path))
                r = 0;
        if (r > 0) {
                r = doctor_add_tool(p, m.tool, m.dir, strcmp(action, "ok") == 0);
                return r < 0 ? r : doctor_fix_kb_path(p, m.tool, m.path, m.dir);
        }
        snprintf(reason, sizeof(reason), "observed: %s %s", action, path);
        return doctor_fix_plain_path(p, path, is_dir, is_replace_op(op), has_fixed_name(op, flags), reason);
}

static const char *str(json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key));
}

/* Lists the KB tool of a path whose fix came from the trace (for "Known tools seen"). */
static int note_tool(struct doctor_plan *p, const struct rw_kb_matcher *mt,
                     const char *path)
{
        struct rw_kb_match m;

        if (rw_kb_matcher_match(mt, path, &m) <= 0 || shared_dir_tree(&m, path))
                return 0;
        return doctor_add_tool(p, m.tool, m.dir, false);
}

/* The fix trace or check gave the event (trace --json "fix_*"), computed where the command
 * ran, against what its paths held there. Returns 1 when used, 0 when the line has none. */
static int add_traced_fix(struct doctor_plan *p, json_t *ev)
{
        const char *kind = str(ev, "fix_kind"), *path = str(ev, "fix_path"), *source = str(ev, "fix_source");
        const char *env = str(ev, "fix_env"), *value = str(ev, "fix_value"), *tool = str(ev, "tool");
        struct rw_fix f = { .source = source && strcmp(source, "kb") == 0 ? "kb" : "inferred" };
        char reason[PATH_MAX + 64];
        int r;

        if (!kind || !path || path[0] != '/')
                return 0;
        snprintf(reason, sizeof(reason), "%s: refused %s %s", tool ? tool : str(ev, "culprit") ? str(ev, "culprit") : "traced",
                 str(ev, "op"), str(ev, "path"));
        snprintf(f.path, sizeof(f.path), "%s", path);
        if (strcmp(kind, "knob") == 0 && env && value) {
                if ((r = doctor_add_env(p, env, value, reason)) < 0)
                        return r;
                f.kind = RW_FIX_MOUNT;
                return doctor_add_fix(p, &f, strncmp(path, DOCTOR_CACHE_ROOT "/", sizeof(DOCTOR_CACHE_ROOT)) == 0,
                                      reason) < 0 ? -ENOMEM : 1;
        }
        f.kind = strcmp(kind, "file-mount") == 0 ? RW_FIX_FILE_MOUNT
               : strcmp(kind, "rwshim-run") == 0 ? RW_FIX_RWSHIM_RUN : RW_FIX_MOUNT;
        if (f.kind == RW_FIX_RWSHIM_RUN &&
            doctor_problem(p, DOCTOR_WARNING, path, tool, "no mount can fix this write without hiding files",
                           "run the program under `rwshim run`, or change where it writes") < 0)
                return -ENOMEM;
        return doctor_add_fix(p, &f, false, reason) < 0 ? -ENOMEM : 1;
}

/* The processes seen, to find the traced command: the one whose parent is not among them. */
struct procs {
        struct { long pid, ppid; json_t *argv; } *v;
        size_t n;
};

static int note_process(struct procs *ps, json_t *ev)
{
        json_t *pid = json_object_get(ev, "pid"), *ppid = json_object_get(ev, "ppid");
        json_t *argv = json_object_get(ev, "argv");
        void *grown;

        if (!json_is_integer(pid) || !json_is_integer(ppid) || json_array_size(argv) == 0)
                return 0;
        for (size_t i = 0; i < ps->n; i++)
                if (ps->v[i].pid == json_integer_value(pid))
                        return 0;
        if (!(grown = realloc(ps->v, (ps->n + 1) * sizeof(*ps->v))))
                return -ENOMEM;
        ps->v = grown;
        ps->v[ps->n].pid = json_integer_value(pid);
        ps->v[ps->n].ppid = json_integer_value(ppid);
        ps->v[ps->n++].argv = json_incref(argv);
        return 0;
}

static int keep_command(struct doctor_plan *p, struct procs *ps)
{
        json_t *argv = NULL;
        size_t n;

        for (size_t i = 0; i < ps->n && !argv; i++) {
                size_t j = 0;

                while (j < ps->n && ps->v[j].pid != ps->v[i].ppid)
                        j++;
                if (j == ps->n)
                        argv = ps->v[i].argv;
        }
        if (!argv || !(p->argv = calloc((n = json_array_size(argv)) + 1, sizeof(*p->argv))))
                return argv ? -ENOMEM : 0;
        for (size_t i = 0; i < n; i++) {
                const char *a = json_string_value(json_array_get(argv, i));

                if (!(p->argv[i] = strdup(a ? a : "")))
                        return -ENOMEM;
        }
        return 0;
}

static void procs_free(struct procs *ps)
{
        for (size_t i = 0; i < ps->n; i++)
                json_decref(ps->v[i].argv);
        free(ps->v);
}

static int add_event(struct doctor_plan *p, const struct rw_kb_matcher *mt,
                     json_t *ev)
{
        const char *op = str(ev, "op"), *path = str(ev, "path"), *path2 = str(ev, "path2");
        const char *action = str(ev, "action"), *kind = str(ev, "ev");
        json_t *write = json_object_get(ev, "write");
        int r;

        /* "ev" is "fs" in event records and trace --json lines. */
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
        /* A refused write's own fix, as trace or check computed it where the command ran. */
        if (json_is_true(json_object_get(ev, "denied"))) {
                r = add_traced_fix(p, ev);
                if (r != 0)
                        return r < 0 ? r : note_tool(p, mt, path);
        }
        r = add_path(p, mt, path, is_dir_op(op), action, op, str(ev, "flags"));
        if (r >= 0 && path2)
                r = add_path(p, mt, path2, false, action, op, NULL);
        return r;
}

/* Observed writes say where, not who: match with generic values, since the traced process
 * may have had another HOME or TMPDIR than doctor. Static: the matcher keeps a pointer to it. */
static const struct rw_kb_ctx trace_ctx = { .uid = -1 };

int doctor_trace_matcher_new(const struct rw_kb *kb, struct rw_kb_matcher **ret)
{
        return rw_kb_matcher_new(kb, &trace_ctx, ret);
}

int doctor_from_trace(struct doctor_plan *p, const struct rw_kb_matcher *mt, const char *file,
                      struct rw_err *e)
{
        FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "re");
        struct procs procs = { 0 };
        char *line = NULL;
        size_t cap = 0, lineno = 0, events = 0;
        ssize_t n;
        int r = 0;

        if (!f)
                return rw_err_set(e, errno, "open trace", file);
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
                r = note_process(&procs, ev);
                if (r >= 0)
                        r = add_event(p, mt, ev);
                json_decref(ev);
                if (r < 0)
                        r = rw_err_set(e, -r, "build fix from trace", file);
        }
        free(line);
        if (r >= 0 && keep_command(p, &procs) < 0)
                r = rw_err_set(e, ENOMEM, "read trace", file);
        procs_free(&procs);
        if (f != stdin)
                fclose(f);
        if (r >= 0 && events == 0)
                r = rw_err_set(e, ENODATA, "read trace (no events)", file);
        return r;
}
