/* The report for people; see report.h. */
#include "trace/report.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "trace/advise.h"
#include "trace/attribute.h"

#define MAX_LISTED 6     /* pids, errnos, names listed per group before "+N more" */

struct group {
        const struct trace_event **ev;   /* members, in file order */
        size_t n, cap;
        int denied;
        char dir[4096];
};

void trace_event_dir(const struct trace_event *ev, char *buf, size_t size)
{
        const char *slash = strrchr(ev->path, '/');
        size_t len = slash ? (size_t)(slash - ev->path) : 0;

        snprintf(buf, size, "%.*s", (int)(len ? len : 1), len ? ev->path : "/");
}

static int default_include(const struct trace_event *ev, void *ctx)
{
        (void)ctx;
        /* A write that failed for another reason (ENOENT after a refused mkdir) changed nothing. */
        return trace_event_denied(ev) || (trace_event_is_write(ev) && !ev->errname);
}

static int group_matches(const struct group *g, const struct trace_event *ev, const char *dir)
{
        return g->denied == trace_event_denied(ev) && strcmp(g->dir, dir) == 0 &&
               strcmp(g->ev[0]->attr.culprit, ev->attr.culprit) == 0;
}

static int group_add(struct group *g, const struct trace_event *ev)
{
        if (g->n == g->cap) {
                size_t cap = g->cap ? 2 * g->cap : 8;
                const struct trace_event **p = realloc(g->ev, cap * sizeof(*p));

                if (!p)
                        return -ENOMEM;
                g->ev = p;
                g->cap = cap;
        }
        g->ev[g->n++] = ev;
        return 0;
}

/* Groups the included events; returns the number of groups or -ENOMEM. */
static long build_groups(const struct trace_log *log, const struct trace_report_opts *o,
                         struct group **ret)
{
        int (*include)(const struct trace_event *, void *) = o->include ? o->include : default_include;
        struct group *gs = NULL;
        size_t ng = 0, j, last = 0;
        char dir[4096];

        for (size_t i = 0; i < log->nevents; i++) {
                const struct trace_event *ev = &log->events[i];

                if (!include(ev, o->ctx))
                        continue;
                trace_event_dir(ev, dir, sizeof(dir));
                /* Events come in runs of one directory (an untar, an rm -rf): try the last group first. */
                if (last < ng && group_matches(&gs[last], ev, dir))
                        j = last;
                else
                        for (j = 0; j < ng && !group_matches(&gs[j], ev, dir); j++)
                                ;
                last = j;
                if (j == ng) {
                        struct group *p = realloc(gs, (ng + 1) * sizeof(*gs));

                        if (!p)
                                return free(gs), -ENOMEM;
                        gs = p;
                        memset(&gs[ng], 0, sizeof(gs[ng]));
                        gs[ng].denied = trace_event_denied(ev);
                        snprintf(gs[ng].dir, sizeof(gs[ng].dir), "%s", dir);
                        ng++;
                }
                if (group_add(&gs[j], ev) < 0)
                        return free(gs), -ENOMEM;
        }
        *ret = gs;
        return (long)ng;
}

/* Prints the distinct values of one string field of the group's events, comma-separated. */
static void print_distinct(FILE *out, const struct group *g, const char *(*field)(const struct trace_event *))
{
        const char *seen[MAX_LISTED];
        size_t nseen = 0, more = 0;

        for (size_t i = 0; i < g->n; i++) {
                const char *v = field(g->ev[i]);
                size_t k;

                if (!v)
                        continue;
                for (k = 0; k < nseen && strcmp(seen[k], v) != 0; k++)
                        ;
                if (k < nseen)
                        continue;
                if (nseen == MAX_LISTED) {
                        more++;
                        continue;
                }
                seen[nseen++] = v;
                fprintf(out, "%s%s", nseen > 1 ? ", " : "", v);
        }
        if (more)
                fprintf(out, " (+%zu more)", more);
}

static const char *field_errno(const struct trace_event *ev) { return ev->errname ? ev->errname : "ok"; }
static const char *field_name(const struct trace_event *ev)
{
        const char *slash = strrchr(ev->path, '/');
        return slash && slash[1] ? slash + 1 : ev->path;
}
static const char *field_op(const struct trace_event *ev) { return ev->op; }
static const char *field_exe(const struct trace_event *ev)
{
        const char *exe = ev->proc ? ev->proc->exe : NULL, *slash = exe ? strrchr(exe, '/') : NULL;
        return slash ? slash + 1 : exe;
}

static void print_pids(FILE *out, const struct group *g)
{
        pid_t seen[MAX_LISTED];
        size_t nseen = 0, more = 0;

        for (size_t i = 0; i < g->n; i++) {
                size_t k;

                for (k = 0; k < nseen && seen[k] != g->ev[i]->pid; k++)
                        ;
                if (k < nseen)
                        continue;
                if (nseen == MAX_LISTED) {
                        more++;   /* counts events of unlisted pids: a bound, not exact */
                        continue;
                }
                seen[nseen++] = g->ev[i]->pid;
        }
        fprintf(out, "%s", nseen > 1 ? "pids" : "pid");
        for (size_t k = 0; k < nseen; k++)
                fprintf(out, " %d", (int)seen[k]);
        if (more)
                fprintf(out, " +more");
}

static void print_python(FILE *out, const struct group *g)
{
        const struct trace_py *py = NULL;
        char buf[1024];

        for (size_t i = 0; i < g->n && !py; i++)
                py = g->ev[i]->py;
        if (!py || py->nframes == 0)
                return;
        trace_frame_format(&py->frames[0], buf, sizeof(buf));
        fprintf(out, "      at %s", buf);
        /* Then the code that set it up: the first frame outside the culprit's own package
         * (the SDK module that configured jinja2), and the one that called it. */
        for (int i = 1, shown = 0; i < py->nframes && shown < 2; i++) {
                char pkg[128];

                trace_python_package(py->frames[i].file, pkg, sizeof(pkg));
                if (shown == 0 && strcmp(pkg, g->ev[0]->attr.culprit) == 0)
                        continue;
                trace_frame_format(&py->frames[i], buf, sizeof(buf));
                fprintf(out, "%s%s", shown++ ? " <- " : ", called from ", buf);
        }
        fputc('\n', out);
}

static void print_callers(FILE *out, const struct group *g)
{
        for (size_t i = 0; i < g->n; i++)
                if (g->ev[i]->caller && !g->ev[i]->py) {
                        fprintf(out, "      caller: %s\n", g->ev[i]->caller);
                        return;
                }
}

/* A refused write followed, in the same process and for the same culprit, by a successful one in
 * another directory is a fallback (matplotlib's temp dir, a cache moved to /tmp). */
static const char *find_fallback(const struct trace_log *log, const struct group *g, char *buf, size_t size)
{
        const struct trace_event *first = g->ev[0];
        const char *name = field_name(first);

        /* The same name elsewhere ("matplotlib" refused in ~/.config, then /tmp/matplotlib-x1/):
         * a short name would match by chance. */
        if (strlen(name) < 4)
                return NULL;
        for (const struct trace_event *ev = first + 1; ev < log->events + log->nevents; ev++) {
                if (ev->pid != first->pid || trace_event_denied(ev) || !trace_event_is_write(ev) ||
                    strcmp(ev->attr.culprit, first->attr.culprit) != 0 || !strstr(ev->path, name))
                        continue;
                trace_event_dir(ev, buf, size);
                if (strncmp(buf, g->dir, strlen(g->dir)) != 0)
                        return buf;
        }
        return NULL;
}

/* The distinct fixes of the group's events: "fix: mount a writable dir at D (mount, inferred:
 * the directory it creates)". */
static void print_fixes(FILE *out, const struct group *g)
{
        struct rw_fix seen[MAX_LISTED];
        size_t nseen = 0, more = 0;
        char sentence[PATH_MAX + 128];

        for (size_t i = 0; i < g->n; i++) {
                struct rw_fix f;
                size_t k;

                trace_event_fix(g->ev[i], &f);
                for (k = 0; k < nseen && !trace_fix_same(&seen[k], &f); k++)
                        ;
                if (k < nseen)
                        continue;
                if (nseen == MAX_LISTED) {
                        more++;
                        continue;
                }
                seen[nseen++] = f;
                trace_fix_sentence(&f, sentence, sizeof(sentence));
                fprintf(out, "      fix: %s (%s, %s: %s)\n", sentence, rw_fix_kind_name(f.kind), f.source,
                        f.why);
        }
        if (more)
                fprintf(out, "      (+%zu more fixes: see --json)\n", more);
}

static void print_group(FILE *out, const struct trace_log *log, const struct group *g)
{
        const struct trace_attr *a = &g->ev[0]->attr;
        char buf[4096];
        const char *fallback = g->denied ? find_fallback(log, g, buf, sizeof(buf)) : NULL;

        fprintf(out, "  %s: %s/ (", a->culprit, strcmp(g->dir, "/") == 0 ? "" : g->dir);
        print_distinct(out, g, field_errno);
        fprintf(out, "; %zu op%s by ", g->n, g->n == 1 ? "" : "s");
        print_pids(out, g);
        fprintf(out, ": ");
        print_distinct(out, g, field_exe);
        fprintf(out, ")\n      ");
        print_distinct(out, g, field_op);
        fprintf(out, ": ");
        print_distinct(out, g, field_name);
        fputc('\n', out);
        print_python(out, g);
        print_callers(out, g);
        if (fallback)
                fprintf(out, "      effect: fell back to %s/\n", fallback);
        else if (g->denied && a->effect)
                fprintf(out, "      effect: %s\n", a->effect);
        if (g->denied)
                print_fixes(out, g);
        if (g->denied && a->fix)
                fprintf(out, "      kb: %s\n", a->fix);
}

static void print_summary(FILE *out, const struct trace_log *log, const struct group *gs, size_t ng,
                          const struct trace_report_opts *o)
{
        size_t writes = 0, refused = 0;

        for (size_t i = 0; i < ng; i++)
                *(gs[i].denied ? &refused : &writes) += gs[i].n;
        fprintf(out, "%s: %zu process%s, %zu write%s, %zu refused", o->title, log->nprocs,
                log->nprocs == 1 ? "" : "es", writes, writes == 1 ? "" : "s", refused);
        if (o->status >= 0)
                fprintf(out, "; the command exited with status %d", o->status);
        fputc('\n', out);
        if (log->bad_lines)
                fprintf(out, "  (%zu unreadable event lines skipped)\n", log->bad_lines);
        if (log->lost_records) {
                fprintf(out, "  %zu event%s lost: killed while writing (process", log->lost_records,
                        log->lost_records == 1 ? "" : "s");
                for (size_t i = 0; i < log->nlost_pids; i++)
                        fprintf(out, " %d", (int)log->lost_pids[i]);
                fputs(")\n", out);
        }
}

int trace_report_write(FILE *out, const struct trace_log *log, const struct trace_report_opts *o)
{
        struct group *gs = NULL;
        long ng = build_groups(log, o, &gs);

        if (ng < 0)
                return (int)ng;
        print_summary(out, log, gs, (size_t)ng, o);
        for (int pass = 1; pass >= 0; pass--) {
                int header = 0;

                for (long i = 0; i < ng; i++) {
                        if (gs[i].denied != pass)
                                continue;
                        if (!header++)
                                fprintf(out, "\n%s\n", pass ? "REFUSED" : "WRITES");
                        print_group(out, log, &gs[i]);
                }
        }
        for (long i = 0; i < ng; i++)
                free(gs[i].ev);
        free(gs);
        return fflush(out) == EOF ? -errno : 0;
}
