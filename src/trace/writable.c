/* Writable-set tests and --suggest; see writable.h. */
#include "trace/writable.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trace/advise.h"
#include "trace/report.h"

int trace_path_beneath(const char *path, const char *dir)
{
        size_t len = strlen(dir);

        while (len > 1 && dir[len - 1] == '/')
                len--;
        if (len == 1 && dir[0] == '/')
                return path[0] == '/';
        return strncmp(path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

static int inside(const char *path, const struct trace_writable *w)
{
        for (size_t i = 0; i < w->n; i++)
                if (trace_path_beneath(path, w->paths[i]))
                        return 1;
        return 0;
}

int trace_event_outside(const struct trace_event *ev, void *ctx)
{
        const struct trace_writable *w = ctx;

        if (!trace_event_denied(ev) && !(trace_event_is_write(ev) && !ev->errname))
                return 0;
        return !inside(ev->path, w) || (ev->path2 && !inside(ev->path2, w));
}

static int is_dir(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Adds dir unless it or an ancestor is listed; drops listed entries beneath it. */
static int add_minimal(char ***list, long *n, const char *dir)
{
        char **p;
        long j = 0;

        for (long i = 0; i < *n; i++)
                if (trace_path_beneath(dir, (*list)[i]))
                        return 0;
        for (long i = 0; i < *n; i++) {
                if (trace_path_beneath((*list)[i], dir))
                        free((*list)[i]);
                else
                        (*list)[j++] = (*list)[i];
        }
        *n = j;
        p = realloc(*list, (size_t)(*n + 1) * sizeof(*p));
        if (!p)
                return -ENOMEM;
        *list = p;
        if (!(p[*n] = strdup(dir)))
                return -ENOMEM;
        (*n)++;
        return 0;
}

/* Where a writable mount would have made this event pass: a directory being created is its own
 * mount point (an emptyDir creates it); anything else needs its parent directory. */
static void mount_point(const struct trace_event *ev, const char *path, char *buf, size_t size)
{
        struct trace_event tmp = *ev;

        if (strncmp(ev->op, "mkdir", 5) == 0 && path == ev->path) {
                snprintf(buf, size, "%s", path);
                return;
        }
        tmp.path = path;
        trace_event_dir(&tmp, buf, size);
}

static void nearest_existing(const char *dir, char *buf, size_t size)
{
        snprintf(buf, size, "%s", dir);
        while (!is_dir(buf)) {
                char *slash = strrchr(buf, '/');

                if (!slash || slash == buf) {
                        snprintf(buf, size, "/");
                        return;
                }
                *slash = '\0';
        }
}

static int add_event(const struct trace_event *ev, const char *path, const struct trace_writable *w,
                     char ***mounts, long *nm)
{
        char buf[4096];

        if (!path || inside(path, w))
                return 0;
        mount_point(ev, path, buf, sizeof(buf));
        return add_minimal(mounts, nm, buf);
}

/* A refusal made by the same Python line as an earlier refusal of the same process, in another
 * directory, is that code trying its next candidate (tempfile tries /tmp, /var/tmp, /usr/tmp,
 * then the cwd): making the first one writable is enough. */
static int is_retry(const struct trace_log *log, size_t i)
{
        const struct trace_event *ev = &log->events[i];

        if (!ev->py || !trace_event_denied(ev))
                return 0;
        for (size_t j = i; j-- > 0;) {
                const struct trace_event *prev = &log->events[j];

                if (prev->pid == ev->pid && prev->py && trace_event_denied(prev) &&
                    strcmp(prev->op, ev->op) == 0 && prev->py->nframes && ev->py->nframes &&
                    prev->py->frames[0].line == ev->py->frames[0].line &&
                    strcmp(prev->py->frames[0].file, ev->py->frames[0].file) == 0)
                        return 1;
        }
        return 0;
}

long trace_suggest(const struct trace_log *log, const struct trace_writable *w,
                   char ***ret_mounts, char ***ret_existing)
{
        char **mounts = NULL, **existing;
        long nm = 0;
        char buf[4096];

        for (size_t i = 0; i < log->nevents; i++) {
                const struct trace_event *ev = &log->events[i];

                if (!trace_event_outside(ev, (void *)w) || is_retry(log, i))
                        continue;
                if (add_event(ev, ev->path, w, &mounts, &nm) < 0 ||
                    add_event(ev, ev->path2, w, &mounts, &nm) < 0)
                        return trace_suggest_free(mounts, nm), -ENOMEM;
        }
        existing = calloc((size_t)nm + 1, sizeof(*existing));
        if (!existing)
                return trace_suggest_free(mounts, nm), -ENOMEM;
        for (long i = 0; i < nm; i++) {
                nearest_existing(mounts[i], buf, sizeof(buf));
                if (!(existing[i] = strdup(buf)))
                        return trace_suggest_free(mounts, nm), trace_suggest_free(existing, nm), -ENOMEM;
        }
        *ret_mounts = mounts;
        *ret_existing = existing;
        return nm;
}

void trace_suggest_free(char **list, long n)
{
        for (long i = 0; list && i < n; i++)
                free(list[i]);
        free(list);
}

/* Adds f unless the same change, or a mount holding it, is listed; a mount drops listed
 * mounts and file mounts beneath it. */
static int add_distinct_fix(struct rw_fix **list, long *n, const struct rw_fix *f)
{
        struct rw_fix *p;
        long j = 0;

        for (long i = 0; i < *n; i++) {
                const struct rw_fix *g = &(*list)[i];

                if (trace_fix_same(g, f) || (g->kind == RW_FIX_MOUNT && f->kind != RW_FIX_KNOB &&
                                             trace_path_beneath(f->path, g->path)))
                        return 0;
        }
        for (long i = 0; i < *n; i++) {
                const struct rw_fix *g = &(*list)[i];

                if (!(f->kind == RW_FIX_MOUNT && g->kind != RW_FIX_KNOB && trace_path_beneath(g->path, f->path)))
                        (*list)[j++] = *g;
        }
        *n = j;
        if (!(p = realloc(*list, (size_t)(*n + 1) * sizeof(*p))))
                return -ENOMEM;
        *list = p;
        p[(*n)++] = *f;
        return 0;
}

long trace_suggest_fixes(const struct trace_log *log, const struct trace_writable *w,
                         struct rw_fix **ret)
{
        struct rw_fix *list = NULL, f;
        long n = 0;

        for (size_t i = 0; i < log->nevents; i++) {
                const struct trace_event *ev = &log->events[i];

                if (!trace_event_denied(ev) || !trace_event_outside(ev, (void *)w) || is_retry(log, i))
                        continue;
                trace_event_fix(ev, &f);
                if (add_distinct_fix(&list, &n, &f) < 0)
                        return free(list), -ENOMEM;
        }
        *ret = list;
        return n;
}

/* The fixes as the containers section of a Pod spec. */
static void print_kubernetes(FILE *out, const struct rw_fix *fixes, long n)
{
        int env = 0, mounts = 0;

        fprintf(out, "\n  Kubernetes (readOnlyRootFilesystem: true):\n");
        for (long i = 0; i < n; i++)
                if (fixes[i].kind == RW_FIX_KNOB)
                        fprintf(out, "%s      - { name: %s, value: \"%s\" }\n", env++ ? "" : "    env:\n",
                                fixes[i].env, fixes[i].value);
        for (long i = 0; i < n; i++) {
                const char *slash = strrchr(fixes[i].path, '/');

                if (fixes[i].kind == RW_FIX_RWSHIM_RUN)
                        continue;
                fprintf(out, "%s      - { name: rw-%ld, mountPath: %s", mounts++ ? "" : "    volumeMounts:\n",
                        i, fixes[i].path);
                if (fixes[i].kind == RW_FIX_FILE_MOUNT)
                        fprintf(out, ", subPath: %s", slash ? slash + 1 : fixes[i].path);
                fprintf(out, " }\n");
        }
        if (mounts)
                fprintf(out, "    volumes:\n");
        for (long i = 0; i < n; i++)
                if (fixes[i].kind != RW_FIX_RWSHIM_RUN)
                        fprintf(out, "      - { name: rw-%ld, emptyDir: {} }\n", i);
        for (long i = 0; i < n; i++)
                if (fixes[i].kind == RW_FIX_RWSHIM_RUN)
                        fprintf(out, "    # %s: no mount hides nothing (%s): run it under `rwshim run`\n",
                                fixes[i].path, fixes[i].why);
}

void trace_suggest_print(FILE *out, char **mounts, char **existing, long n,
                         const struct rw_fix *fixes, long nfixes)
{
        char **flags = NULL;
        long nf = 0;

        fprintf(out, "\nSUGGESTED WRITABLE SET\n  rwshim check");
        for (long i = 0; i < n; i++)
                if (add_minimal(&flags, &nf, existing[i]) < 0)
                        break;
        for (long i = 0; i < nf; i++)
                fprintf(out, " --writable %s", flags[i]);
        fprintf(out, " -- ...\n");
        trace_suggest_free(flags, nf);
        for (long i = 0; i < n; i++)
                if (strcmp(mounts[i], existing[i]) != 0)
                        fprintf(out, "  (%s does not exist here: the flag names its existing ancestor %s)\n", mounts[i], existing[i]);
        print_kubernetes(out, fixes, nfixes);
}

void trace_fixes_json(FILE *out, const struct rw_fix *fixes, long n)
{
        json_t *a = json_array();
        char *text;

        for (long i = 0; i < n; i++) {
                json_t *o = json_pack("{s:s, s:s, s:s}", "kind", rw_fix_kind_name(fixes[i].kind), "path",
                                      fixes[i].path, "source", fixes[i].source ? fixes[i].source : "inferred");

                if (fixes[i].kind == RW_FIX_KNOB) {
                        json_object_set_new(o, "env", json_string(fixes[i].env));
                        json_object_set_new(o, "value", json_string(fixes[i].value));
                }
                json_array_append_new(a, o);
        }
        text = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fputs(text ? text : "[]", out);
        free(text);
        json_decref(a);
}
