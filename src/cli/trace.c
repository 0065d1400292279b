/* rwshim trace: run CMD under the engine in record-only mode, then report every write and every
 * refused access, with the culprit and the fix. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/err.h"
#include "supervisor/launch.h"
#include "trace/attribute.h"
#include "trace/event_file.h"
#include "trace/events.h"
#include "trace/json_out.h"
#include "trace/knowledge.h"
#include "trace/python_hook.h"
#include "trace/report.h"
#include "trace/spool.h"

const char cli_trace_help[] =
        "Usage: rwshim trace [--json] [-o FILE] [--all] [-v] [--] CMD [ARG]...\n\n"
        "Run CMD and report every operation that creates, writes, truncates, renames, links,\n"
        "removes or changes metadata of a path, and every refused one (EACCES, EPERM, EROFS),\n"
        "grouped by culprit (Python package and line, shared library, or program) and directory,\n"
        "refused first, with what the program did about it and the fix.\n\n"
        "  --json       NDJSON instead of the report: one object per event (see rwshim(1), docs/trace.md)\n"
        "  -o FILE      write the report or NDJSON to FILE instead of stderr\n"
        "  --all        also record reads and lookups\n"
        "  -v           say how CMD was traced (preload or static-binary backend)\n\n"
        "Static binaries, which the preload cannot enter, are traced by ptrace with a seccomp\n"
        "filter on file syscalls. Nothing is redirected: CMD sees the real filesystem.\n\n"
        "Exit status: CMD's own (signal N -> 128+N); 125 rwshim's own error;\n"
        "126 CMD not executable; 127 CMD not found.\n";

struct trace_args {
        int json, all, verbose;
        const char *output;
        char **cmd;
};

static int parse_args(int argc, char **argv, struct trace_args *a)
{
        static const struct option opts[] = {
                { "json", no_argument, NULL, 'j' },   { "output", required_argument, NULL, 'o' },
                { "all", no_argument, NULL, 'a' },    { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },   { NULL, 0, NULL, 0 },
        };
        int c;

        memset(a, 0, sizeof(*a));
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+o:vh", opts, NULL)) != -1) {
                switch (c) {
                case 'j': a->json = 1; break;
                case 'o': a->output = optarg; break;
                case 'a': a->all = 1; break;
                case 'v': a->verbose = 1; break;
                case 'h': fputs(cli_trace_help, stdout); return 0;
                default:
                        return cli_usage_error("trace", "bad option '%s' (try 'rwshim help trace')",
                                               argv[optind - 1]);
                }
        }
        if (optind >= argc)
                return cli_usage_error("trace", "no command given (try 'rwshim help trace')");
        a->cmd = argv + optind;
        return -1;   /* go on */
}

static FILE *open_output(const char *path)
{
        FILE *f;

        if (!path)
                return stderr;
        f = fopen(path, "we");
        if (!f) {
                struct rw_err e;
                rw_err_set(&e, errno, "open output", path);
                rw_err_print(&e);
        }
        return f;
}

static int write_results(FILE *out, int fd, const struct trace_args *a, const char *events_path,
                         const struct trace_knowledge *kb, int status)
{
        struct trace_report_opts ro = { .title = "rwshim trace", .status = status };
        struct trace_log log;
        struct rw_err e;
        long r;
        char hook[PATH_MAX];
        const char *ignore[] = { events_path, trace_python_dir(hook, sizeof(hook)) == 0 ? hook : NULL, NULL };

        if (trace_log_read_fd(&log, fd, ignore, &e) < 0)
                return rw_err_print(&e), -1;
        trace_attribute_all(&log, kb);
        if (log.lost_records && a->json)   /* the report says so itself */
                fprintf(stderr, "rwshim trace: %zu event%s lost: a process was killed while writing\n",
                        log.lost_records, log.lost_records == 1 ? "" : "s");
        r = a->json ? trace_json_write(out, &log, NULL, NULL) : trace_report_write(out, &log, &ro);
        trace_log_free(&log);
        if (r < 0) {
                rw_err_set(&e, (int)-r, "write report", a->output ? a->output : "stderr");
                return rw_err_print(&e), -1;
        }
        return 0;
}

int cli_trace(int argc, char **argv)
{
        struct trace_args a;
        struct trace_event_file ef;
        struct trace_spool spool;
        struct trace_knowledge *kb;
        struct rw_err e;
        int status, is_static = 0, r = parse_args(argc, argv, &a);
        FILE *out;

        if (r >= 0)
                return r;
        /* Before the command runs: a broken knowledge-base override is the caller's error (125). */
        if (!(kb = trace_knowledge_open()))
                return CLI_EXIT_OWN_ERROR;
        if (!(out = open_output(a.output)))
                return trace_knowledge_free(kb), CLI_EXIT_OWN_ERROR;
        if (trace_event_file_create(&ef, 0, &e) < 0)
                return trace_knowledge_free(kb), rw_err_print(&e), CLI_EXIT_OWN_ERROR;
        /* Without a spool the preload writes each record itself: slower, nothing lost. */
        int spooled = trace_spool_create(&spool, 0, &e) == 0;
        if (!spooled && a.verbose)
                rw_err_print(&e);
        if (trace_python_hook_setenv() < 0 && a.verbose)
                fprintf(stderr, "rwshim trace: Python attribution unavailable (data/python not found)\n");
        struct sup_launch l = { .argv = a.cmd, .mode = "trace", .events_path = ef.path,
                                .spool_path = spooled ? spool.file.path : NULL,
                                .record_all = a.all, .verbose = a.verbose };
        status = sup_launch_and_wait(&l, &is_static, &e);
        if (status >= 0 && spooled && trace_spool_drain(&spool, ef.fd, &e) < 0)
                status = -1;
        if (spooled)
                trace_spool_close(&spool);
        if (status < 0) {
                trace_event_file_close(&ef);
                trace_knowledge_free(kb);
                return rw_err_print(&e), CLI_EXIT_OWN_ERROR;
        }
        r = write_results(out, ef.fd, &a, ef.path, kb, status);
        trace_knowledge_free(kb);
        trace_event_file_close(&ef);
        if (out != stderr)
                fclose(out);
        return r < 0 ? CLI_EXIT_OWN_ERROR : status;
}
