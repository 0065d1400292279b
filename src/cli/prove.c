/* --prove; see prove.h. */
#include "cli/prove.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/options.h"
#include "sandbox/landlock.h"
#include "supervisor/launch.h"
#include "supervisor/upper_choice.h"
#include "trace/advise.h"
#include "trace/event_file.h"
#include "trace/events.h"
#include "trace/python_hook.h"
#include "trace/writable.h"

/* The command must still be there: a trace from another machine or an old build cannot be
 * proven, and saying "not enough" for it would be a lie. */
static int find_command(const char *cmd, struct rw_err *e)
{
        const char *path = getenv("PATH");
        char buf[PATH_MAX];

        if (strchr(cmd, '/'))
                return access(cmd, X_OK) == 0 ? 0 : rw_err_set(e, errno, "prove: command", cmd);
        for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
                size_t len = strcspn(p, ":");

                snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, p, cmd);
                if (access(buf, X_OK) == 0)
                        return 0;
                p += len + (p[len] == ':');
        }
        return rw_err_set(e, ENOENT, "prove: command", cmd);
}

/* The path each fix makes writable: a mount's or file's own, a knob's dir, and for rwshim run
 * the directory it redirects in. */
static void simulated_path(const struct rw_fix *f, char *buf, size_t size)
{
        snprintf(buf, size, "%s", f->kind == RW_FIX_KNOB ? f->value : f->path);
        if (f->kind == RW_FIX_RWSHIM_RUN) {
                char *slash = strrchr(buf, '/');

                if (slash && slash != buf)
                        *slash = '\0';
        }
}

static int only_list(const struct prove_item *items, size_t n, char *list, size_t size)
{
        char p[PATH_MAX];

        list[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                /* A knob's dir is writable by the mount it names (check's fixes), else by
                 * another item's (doctor's plan lists its dirs apart). */
                if (items[i].verdict == PROVE_NOT_NEEDED || (items[i].fix.kind == RW_FIX_KNOB && !items[i].fix.path[0]))
                        continue;
                simulated_path(&items[i].fix, p, sizeof(p));
                if (p[0] == '/' && cli_append_abs_path(list, size, p) < 0)
                        return -ENAMETOOLONG;
        }
        return 0;
}

/* Mount points the runtime would create: the missing ones, and their missing ancestors, which
 * only this first step may create. */
static int mount_points(const struct prove_item *items, size_t n, char **argv, size_t max,
                        char *ancestors, size_t size)
{
        size_t argc = 0;
        struct stat st;

        argv[argc++] = "mkdir";
        argv[argc++] = "-p";
        argv[argc++] = "--";
        ancestors[0] = '\0';
        for (size_t i = 0; i < n && argc + 1 < max; i++) {
                char top[PATH_MAX], cur[PATH_MAX];
                const struct rw_fix *f = &items[i].fix;

                if (f->path[0] != '/' || (f->kind != RW_FIX_MOUNT && f->kind != RW_FIX_KNOB) ||
                    items[i].verdict == PROVE_NOT_NEEDED ||
                    stat(f->path, &st) == 0)
                        continue;
                snprintf(cur, sizeof(cur), "%s", f->path);
                snprintf(top, sizeof(top), "%s", f->path);
                for (char *slash; (slash = strrchr(cur, '/')) && slash != cur;) {
                        *slash = '\0';
                        if (stat(cur, &st) == 0)
                                break;
                        snprintf(top, sizeof(top), "%s", cur);
                }
                if (cli_append_abs_path(ancestors, size, top) < 0)
                        return -ENAMETOOLONG;
                argv[argc++] = (char *)f->path;
        }
        argv[argc] = NULL;
        return (int)argc - 3;
}

struct sim {
        struct sup_upper upper;
        struct trace_event_file ef;
        struct sandbox_landlock ll;
        int verbose;
};

static int launch(struct sim *s, char *const *argv, const char *only, struct rw_err *e)
{
        struct sup_launch l = {
                .argv = argv, .mode = "run", .upper = s->upper.path, .events_path = s->ef.path,
                .only = only, .verbose = s->verbose, .pre_exec = sandbox_landlock_apply, .pre_exec_ctx = &s->ll,
        };

        return sup_launch_and_wait(&l, NULL, e);
}

static void tally(struct sim *s, struct prove_item *items, size_t n, struct prove_result *r)
{
        char hook[PATH_MAX];
        /* rwshim's own files: the event file, the upper, the Python hook check put in PYTHONPATH. */
        const char *ignore[] = { s->ef.path, s->upper.path,
                                 trace_python_dir(hook, sizeof(hook)) == 0 ? hook : NULL, NULL };
        struct trace_log log;
        struct rw_err e;
        char p[PATH_MAX];

        if (trace_log_read_fd(&log, s->ef.fd, ignore, &e) < 0)
                return;
        for (size_t i = 0; i < log.nevents; i++) {
                const struct trace_event *ev = &log.events[i];

                /* Under the read-only root a write succeeds only through a fix: redirected by
                 * the preload, or done in the upper by the static backend (recorded "ok"). */
                if (ev->action && (strcmp(ev->action, "redirected") == 0 ||
                                   (strcmp(ev->action, "ok") == 0 && trace_event_is_write(ev)))) {
                        for (size_t k = 0; k < n; k++) {
                                simulated_path(&items[k].fix, p, sizeof(p));
                                if (p[0] == '/' && trace_path_beneath(ev->path, p))
                                        items[k].writes++;
                        }
                } else if (trace_event_denied(ev) && trace_event_is_write(ev)) {
                        if (r->nrefused < PROVE_MAX_REFUSED)
                                snprintf(r->refused[r->nrefused], sizeof(r->refused[0]), "%s %s (%s)", ev->op,
                                         ev->path, ev->errname ? ev->errname : "refused");
                        r->nrefused++;
                }
        }
        trace_log_free(&log);
}

static void set_knobs(const struct prove_item *items, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (items[i].fix.kind == RW_FIX_KNOB && items[i].verdict != PROVE_NOT_NEEDED)
                        setenv(items[i].fix.env, items[i].fix.value, 1);
}

/* One run of argv in a fresh in-memory upper with the items not marked NOT_NEEDED. */
static int simulate_once(struct sim *s, char *const *argv, struct prove_item *items, size_t n,
                         struct prove_result *r, struct rw_err *e)
{
        char only[8192], ancestors[8192], *mkdir_argv[64];
        int st, nmk;

        memset(r, 0, sizeof(*r));
        for (size_t i = 0; i < n; i++)
                items[i].writes = 0;
        if (only_list(items, n, only, sizeof(only)) < 0 ||
            (nmk = mount_points(items, n, mkdir_argv, 64, ancestors, sizeof(ancestors))) < 0)
                return rw_err_set(e, ENAMETOOLONG, "prove: too many fixes", argv[0]);
        if (sup_choose_upper(NULL, 1, only, &s->upper, e) < 0)
                return -1;
        /* The upper is writable wherever it landed: /dev/shm, or /tmp when /dev/shm is not
         * usable (a chroot, a container without it), which the read-only root would refuse. */
        const char *writable[] = { s->upper.path };
        if (sandbox_landlock_prepare(&s->ll, writable, 1, s->ef.fd, e) < 0)
                st = -1;
        else if (ftruncate(s->ef.fd, 0) < 0)
                st = rw_err_set(e, errno, "prove: reset events", s->ef.path);
        else if (nmk > 0 && (st = launch(s, mkdir_argv, ancestors, e)) != 0)
                st = st < 0 ? st : rw_err_set(e, EIO, "prove: create mount points", ancestors);
        else if (ftruncate(s->ef.fd, 0) < 0)
                st = rw_err_set(e, errno, "prove: reset events", s->ef.path);
        else {
                set_knobs(items, n);
                st = launch(s, argv, only[0] ? only : "/nonexistent-rwshim-only", e);
        }
        if (st >= 0) {
                r->status = st;
                tally(s, items, n, r);
        }
        sandbox_landlock_close(&s->ll);
        sup_release_upper(&s->upper);
        return st < 0 ? st : 0;
}

static int passed(const struct prove_result *r)
{
        return r->status == 0 && r->nrefused == 0;
}

static int simulate(struct sim *s, char *const *argv, struct prove_item *items, size_t n,
                    struct prove_result *r, struct rw_err *e)
{
        struct prove_result second;
        size_t unused = 0;

        if (simulate_once(s, argv, items, n, r, e) < 0)
                return -1;
        for (size_t i = 0; i < n; i++)
                items[i].verdict = passed(r) ? PROVE_PROVEN : PROVE_NOT_ENOUGH;
        if (!passed(r))
                return 0;
        /* Try the fix without the parts nothing was written through. */
        for (size_t i = 0; i < n; i++) {
                if (items[i].writes == 0 && items[i].fix.kind != RW_FIX_RWSHIM_RUN) {
                        items[i].verdict = PROVE_NOT_NEEDED;
                        unused++;
                }
        }
        if (unused == 0)
                return 0;
        for (size_t i = 0; i < n; i++)
                if (items[i].fix.kind == RW_FIX_KNOB && items[i].verdict == PROVE_NOT_NEEDED)
                        unsetenv(items[i].fix.env);
        if (simulate_once(s, argv, items, n, &second, e) < 0)
                return -1;
        if (passed(&second)) {
                *r = second;
                return 0;
        }
        /* Needed after all (a knob's mere presence, say): the full fix stands, run again so
         * the counts are its own. */
        for (size_t i = 0; i < n; i++)
                items[i].verdict = PROVE_PROVEN;
        return simulate_once(s, argv, items, n, r, e);
}

int cli_prove(char *const *argv, struct prove_item *items, size_t n, int verbose,
              struct prove_result *r, struct rw_err *e)
{
        struct sim s = { .verbose = verbose, .ll = { .ruleset_fd = -1 } };
        int ret = 0, saved_stdout;

        memset(r, 0, sizeof(*r));
        if (!argv || !argv[0])
                return rw_err_set(e, EINVAL, "prove: no command recorded", "(trace)");
        if (find_command(argv[0], e) < 0)
                return -1;
        if (trace_event_file_create(&s.ef, 1, e) < 0)
                return -1;
        /* The command's output goes to stderr: stdout may be carrying a manifest. */
        fflush(stdout);
        saved_stdout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        if (ret >= 0 && saved_stdout >= 0 && dup2(STDERR_FILENO, STDOUT_FILENO) >= 0)
                ret = simulate(&s, argv, items, n, r, e);
        if (saved_stdout >= 0) {
                dup2(saved_stdout, STDOUT_FILENO);
                close(saved_stdout);
        }
        trace_event_file_close(&s.ef);
        return ret < 0 ? -1 : 0;
}

void cli_prove_print(FILE *out, char *const *argv, const struct prove_item *items, size_t n,
                     const struct prove_result *r)
{
        char sentence[PATH_MAX + 128], refused[1024] = "";
        size_t len = 0;

        for (size_t i = 0; i < r->nrefused && i < PROVE_MAX_REFUSED; i++)
                len += (size_t)snprintf(refused + len, len < sizeof(refused) ? sizeof(refused) - len : 0,
                                        "%s%s", i ? ", " : "", r->refused[i]);
        if (r->nrefused > PROVE_MAX_REFUSED && len < sizeof(refused))
                snprintf(refused + len, sizeof(refused) - len, " (+%zu more)", r->nrefused - PROVE_MAX_REFUSED);
        fprintf(out, "\nPROOF: re-ran %s with the fixes simulated on a read-only root: ", argv[0]);
        if (r->status == 0 && r->nrefused == 0)
                fprintf(out, "it passed\n");
        else
                fprintf(out, "exit status %d, %zu write%s still refused\n", r->status, r->nrefused,
                        r->nrefused == 1 ? "" : "s");
        for (size_t i = 0; i < n; i++) {
                trace_fix_sentence(&items[i].fix, sentence, sizeof(sentence));
                if (items[i].verdict == PROVE_PROVEN)
                        fprintf(out, "  proven: %s: the command passed and wrote only there (%ld write%s)\n",
                                sentence, items[i].writes, items[i].writes == 1 ? "" : "s");
                else if (items[i].verdict == PROVE_NOT_NEEDED)
                        fprintf(out, "  not needed: %s: the command passed without it\n", sentence);
                else if (r->nrefused)
                        fprintf(out, "  not enough: %s: still refused: %s\n", sentence, refused);
                else
                        fprintf(out, "  not enough: %s: the command still failed (exit status %d)\n",
                                sentence, r->status);
        }
        if (n == 0)
                fprintf(out, "  %s: %s\n", r->status == 0 && r->nrefused == 0 ? "proven" : "not enough",
                        r->nrefused ? refused : "no fix proposed");
}

static const char *verdict_name(enum prove_verdict v)
{
        return v == PROVE_PROVEN ? "proven" : v == PROVE_NOT_ENOUGH ? "not enough"
             : v == PROVE_NOT_NEEDED ? "not needed" : "untested";
}

void cli_prove_json(FILE *out, const struct prove_item *items, size_t n, const struct prove_result *r)
{
        json_t *fixes = json_array(), *refused = json_array(), *o;
        char *text;

        for (size_t i = 0; i < n; i++) {
                const struct rw_fix *f = &items[i].fix;
                json_t *x = json_pack("{s:s, s:s, s:s}", "kind", rw_fix_kind_name(f->kind), "path", f->path,
                                      "source", f->source ? f->source : "inferred");

                if (f->kind == RW_FIX_KNOB) {
                        json_object_set_new(x, "env", json_string(f->env));
                        json_object_set_new(x, "value", json_string(f->value));
                }
                json_object_set_new(x, "verdict", json_string(verdict_name(items[i].verdict)));
                json_object_set_new(x, "writes", json_integer(items[i].writes));
                json_array_append_new(fixes, x);
        }
        for (size_t i = 0; i < r->nrefused && i < PROVE_MAX_REFUSED; i++)
                json_array_append_new(refused, json_string(r->refused[i]));
        o = json_pack("{s:s, s:i, s:b, s:o, s:o}", "ev", "prove", "status", r->status, "passed",
                      r->status == 0 && r->nrefused == 0, "refused", refused, "fixes", fixes);
        text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (text)
                fprintf(out, "%s\n", text);
        free(text);
        json_decref(o);
}

int cli_check_prove(FILE *out, char *const *argv, const struct rw_fix *fixes, long n, int json,
                    int verbose)
{
        struct prove_item *items = calloc((size_t)n + 1, sizeof(*items));
        struct prove_result r;
        struct rw_err e;
        int ret;

        if (!items)
                return rw_err_print(&(struct rw_err){ .errnum = ENOMEM, .op = "prove", .path = "" }), -1;
        for (long i = 0; i < n; i++)
                items[i].fix = fixes[i];
        ret = cli_prove(argv, items, (size_t)n, verbose, &r, &e);
        if (ret < 0)
                rw_err_print(&e);
        else if (json)
                cli_prove_json(out, items, (size_t)n, &r);
        else
                cli_prove_print(out, argv, items, (size_t)n, &r);
        free(items);
        return ret;
}
