/* rwshim check: run CMD under a read-only root (Landlock or a user+mount namespace) with only the
 * --writable paths writable; report every write outside them; exit 3 if there was one. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/prove.h"
#include "core/err.h"
#include "sandbox/landlock.h"
#include "sandbox/userns.h"
#include "supervisor/launch.h"
#include "trace/attribute.h"
#include "trace/event_file.h"
#include "trace/events.h"
#include "trace/spool.h"
#include "trace/json_out.h"
#include "trace/knowledge.h"
#include "trace/python_hook.h"
#include "trace/report.h"
#include "trace/writable.h"

const char cli_check_help[] =
        "Usage: rwshim check [--writable PATH]... [--backend landlock|userns] [--suggest [--prove]] [--json]\n"
        "                    [-o FILE] [-v] [--] CMD [ARG]...\n\n"
        "Run CMD as if the root filesystem were read-only, with only the --writable paths (and\n"
        "/dev/null, /dev/tty, /dev/pts, /dev/shm, /proc, ... as in a container) writable, and report\n"
        "every write outside them: process, op, path, culprit and fix.\n\n"
        "  --writable PATH   an existing absolute path that stays writable (repeatable)\n"
        "  --backend landlock  (default) in-kernel, unprivileged; refused writes fail with EACCES\n"
        "  --backend userns    user+mount namespace, whole tree remounted read-only: real EROFS\n"
        "  --suggest         print the smallest writable set that would have let CMD pass,\n"
        "                    as --writable flags and as a Kubernetes emptyDir list\n"
        "  --prove           with --suggest: run CMD again with the Kubernetes fixes simulated\n"
        "                    (knobs set, only their paths writable) and say if they are enough\n"
        "  --json            NDJSON: one object per offending write (see docs/check.md)\n"
        "  -o FILE           write the report or NDJSON to FILE instead of stderr\n\n"
        "Exit status: CMD's own if it failed (signal N -> 128+N); else 3 if anything was written\n"
        "outside the writable set; else 0. 125 rwshim's own error (bad --writable, no command,\n"
        "backend unavailable); 126 CMD not executable; 127 CMD not found.\n";

#define MAX_WRITABLE 64

struct check_args {
        int json, suggest, verbose, userns, prove;
        const char *output;
        char **cmd;
        const char *given[MAX_WRITABLE];           /* as given, absolute */
        char real[MAX_WRITABLE][PATH_MAX];          /* realpath of each */
        size_t n;
};

static int add_writable(struct check_args *a, const char *path)
{
        struct rw_err e;

        if (path[0] != '/')
                return cli_usage_error("check", "--writable needs an absolute path: %s", path);
        if (a->n == MAX_WRITABLE)
                return cli_usage_error("check", "too many --writable paths (at most %d)", MAX_WRITABLE);
        if (!realpath(path, a->real[a->n])) {
                rw_err_set(&e, errno, "writable path", path);
                rw_err_print(&e);
                return CLI_EXIT_OWN_ERROR;
        }
        a->given[a->n++] = path;
        return -1;
}

static int set_backend(struct check_args *a, const char *name)
{
        if (strcmp(name, "landlock") == 0)
                a->userns = 0;
        else if (strcmp(name, "userns") == 0)
                a->userns = 1;
        else
                return cli_usage_error("check", "unknown backend '%s' (landlock or userns)", name);
        return -1;
}

static int parse_args(int argc, char **argv, struct check_args *a)
{
        static const struct option opts[] = {
                { "writable", required_argument, NULL, 'w' }, { "backend", required_argument, NULL, 'b' },
                { "suggest", no_argument, NULL, 's' },        { "json", no_argument, NULL, 'j' },
                { "output", required_argument, NULL, 'o' },   { "verbose", no_argument, NULL, 'v' },
                { "prove", no_argument, NULL, 'p' },
                { "help", no_argument, NULL, 'h' },           { NULL, 0, NULL, 0 },
        };
        int c, r = -1;

        optind = 1;
        opterr = 0;
        while (r < 0 && (c = getopt_long(argc, argv, "+w:o:vh", opts, NULL)) != -1) {
                switch (c) {
                case 'w': r = add_writable(a, optarg); break;
                case 'b': r = set_backend(a, optarg); break;
                case 's': a->suggest = 1; break;
                case 'p': a->prove = a->suggest = 1; break;
                case 'j': a->json = 1; break;
                case 'o': a->output = optarg; break;
                case 'v': a->verbose = 1; break;
                case 'h': fputs(cli_check_help, stdout); return 0;
                default:
                        return cli_usage_error("check", "bad option '%s' (try 'rwshim help check')",
                                               argv[optind - 1]);
                }
        }
        if (r >= 0)
                return r;
        if (optind >= argc)
                return cli_usage_error("check", "no command given (try 'rwshim help check')");
        a->cmd = argv + optind;
        return -1;
}

/* The set the run may write: given paths, their real paths, the defaults, the event file. */
static size_t writable_set(const struct check_args *a, const char *events_path, const char **set)
{
        size_t n = 0;

        for (size_t i = 0; i < a->n; i++) {
                set[n++] = a->given[i];
                set[n++] = a->real[i];
        }
        for (size_t i = 0; sandbox_default_writable[i]; i++)
                set[n++] = sandbox_default_writable[i];
        set[n++] = events_path;
        return n;
}

struct check_backend {
        struct sandbox_landlock ll;
        struct sandbox_userns u;
        const char *paths[MAX_WRITABLE + 2];   /* + the event file and the spool */
        char title[64];
};

static int prepare_backend(const struct check_args *a, const struct trace_event_file *ef,
                           const struct trace_spool *spool, struct check_backend *b, struct sup_launch *l,
                           struct rw_err *e)
{
        size_t n = 0;
        int r;

        for (size_t i = 0; i < a->n; i++)
                b->paths[n++] = a->real[i];
        b->ll.ruleset_fd = -1;
        if (!a->userns) {
                if ((r = sandbox_landlock_prepare(&b->ll, b->paths, n, ef->fd, e)) < 0)
                        return r;
                if (spool && (r = sandbox_landlock_allow_file(&b->ll, spool->file.fd, "spool", e)) < 0)
                        return r;
                snprintf(b->title, sizeof(b->title), "rwshim check (landlock ABI %d)", b->ll.abi);
                l->pre_exec = sandbox_landlock_apply;
                l->pre_exec_ctx = &b->ll;
                return 0;
        }
        if (ef->on_disk)        /* the read-only remount would hide a temp event file */
                b->paths[n++] = ef->path;
        if (spool && spool->file.on_disk)
                b->paths[n++] = spool->file.path;
        b->u = (struct sandbox_userns){ .writable = b->paths, .n = n, .uid = getuid(), .gid = getgid() };
        if ((r = sandbox_userns_probe(e)) < 0)
                return r;
        snprintf(b->title, sizeof(b->title), "rwshim check (userns)");
        l->pre_exec = sandbox_userns_apply;
        l->pre_exec_ctx = &b->u;
        return 0;
}

static FILE *open_output(const char *path)
{
        struct rw_err e;
        FILE *f;

        if (!path)
                return stderr;
        if (!(f = fopen(path, "we"))) {
                rw_err_set(&e, errno, "open output", path);
                rw_err_print(&e);
        }
        return f;
}

/* Prints the suggestion; its fixes go to *ret_fixes (malloc'd) for --prove. */
static void print_suggestion(FILE *out, const struct trace_log *log, struct trace_writable *w, int json,
                             struct rw_fix **ret_fixes, long *ret_nfixes)
{
        char **mounts, **existing;
        long n = trace_suggest(log, w, &mounts, &existing);

        if (n < 0 || (*ret_nfixes = trace_suggest_fixes(log, w, ret_fixes)) < 0) {
                *ret_nfixes = 0;
                *ret_fixes = NULL;
                return;
        }
        if (json) {
                fprintf(out, "{\"ev\":\"suggest\",\"writable\":[");
                for (long i = 0; i < n; i++)
                        fprintf(out, "%s\"%s\"", i ? "," : "", existing[i]);
                fprintf(out, "],\"mounts\":[");
                for (long i = 0; i < n; i++)
                        fprintf(out, "%s\"%s\"", i ? "," : "", mounts[i]);
                fprintf(out, "],\"fixes\":");
                trace_fixes_json(out, *ret_fixes, *ret_nfixes);
                fprintf(out, "}\n");
        } else if (n > 0) {
                trace_suggest_print(out, mounts, existing, n, *ret_fixes, *ret_nfixes);
        }
        trace_suggest_free(mounts, n);
        trace_suggest_free(existing, n);
}

static long count_outside(const struct trace_log *log, struct trace_writable *w)
{
        long n = 0;

        for (size_t i = 0; i < log->nevents; i++)
                n += trace_event_outside(&log->events[i], w);
        return n;
}

/* Returns the number of writes outside the writable set, or -1 after printing an error. */
static long write_results(FILE *out, int fd, const struct check_args *a, const char *events_path,
                          const struct trace_knowledge *kb, const char *title, int status,
                          struct rw_fix **ret_fixes, long *ret_nfixes)
{
        const char *set[2 * MAX_WRITABLE + 16];
        struct trace_writable w = { set, writable_set(a, events_path, set) };
        struct trace_report_opts ro = { title, status, trace_event_outside, &w };
        struct trace_log log;
        struct rw_err e;
        long outside, r;

        char hook[PATH_MAX];
        const char *ignore[] = { events_path, trace_python_dir(hook, sizeof(hook)) == 0 ? hook : NULL, NULL };

        if (trace_log_read_fd(&log, fd, ignore, &e) < 0)
                return rw_err_print(&e), -1;
        trace_attribute_all(&log, kb);
        outside = count_outside(&log, &w);
        r = a->json ? trace_json_write(out, &log, trace_event_outside, &w) : trace_report_write(out, &log, &ro);
        if (r >= 0 && !a->json && outside)
                fprintf(out, "\n%ld write%s outside the writable set\n", outside, outside == 1 ? "" : "s");
        else if (r >= 0 && !a->json)
                fprintf(out, "\nno write outside the writable set\n");
        if (r >= 0 && a->suggest)
                print_suggestion(out, &log, &w, a->json, ret_fixes, ret_nfixes);
        trace_log_free(&log);
        if (r < 0) {
                rw_err_set(&e, (int)-r, "write report", a->output ? a->output : "stderr");
                return rw_err_print(&e), -1;
        }
        return outside;
}

static int run_checked(const struct check_args *a, const struct trace_knowledge *kb, FILE *out)
{
        struct trace_event_file ef;
        struct trace_spool spool;
        struct check_backend b;
        struct sup_launch l = { .argv = a->cmd, .mode = "check", .verbose = a->verbose };
        struct rw_err e;
        int status, is_static = 0;
        long outside = -1, nfixes = 0;
        struct rw_fix *fixes = NULL;

        if (trace_event_file_create(&ef, 1, &e) < 0)
                return rw_err_print(&e), CLI_EXIT_OWN_ERROR;
        l.events_path = ef.path;
        /* Without a spool the preload writes each record itself: slower, nothing lost. */
        int spooled = trace_spool_create(&spool, 1, &e) == 0;
        l.spool_path = spooled ? spool.file.path : NULL;
        if (prepare_backend(a, &ef, spooled ? &spool : NULL, &b, &l, &e) < 0) {
                status = -1;
                goto out;
        }
        trace_python_hook_setenv();
        status = sup_launch_and_wait(&l, &is_static, &e);
        if (status >= 0 && spooled && trace_spool_drain(&spool, ef.fd, &e) < 0)
                status = -1;
        if (status >= 0)
                outside = write_results(out, ef.fd, a, ef.path, kb, b.title, status, &fixes, &nfixes);
        if (outside > 0 && a->prove && cli_check_prove(out, a->cmd, fixes, nfixes, a->json, a->verbose) < 0)
                outside = -1;
        free(fixes);
out:
        if (status < 0)
                rw_err_print(&e);
        sandbox_landlock_close(&b.ll);
        if (spooled)
                trace_spool_close(&spool);
        trace_event_file_close(&ef);
        if (status < 0 || outside < 0)
                return CLI_EXIT_OWN_ERROR;
        if (status != 0)
                return status;
        return outside ? CLI_EXIT_WROTE_OUTSIDE : 0;
}

int cli_check(int argc, char **argv)
{
        struct check_args a;
        struct trace_knowledge *kb;
        FILE *out;
        int r;

        memset(&a, 0, sizeof(a));
        if ((r = parse_args(argc, argv, &a)) >= 0)
                return r;
        /* Before the command runs: a broken knowledge-base override is the caller's error (125). */
        if (!(kb = trace_knowledge_open()))
                return CLI_EXIT_OWN_ERROR;
        if (!(out = open_output(a.output)))
                return trace_knowledge_free(kb), CLI_EXIT_OWN_ERROR;
        r = run_checked(&a, kb, out);
        trace_knowledge_free(kb);
        if (out != stderr)
                fclose(out);
        return r;
}
