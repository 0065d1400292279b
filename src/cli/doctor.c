/* rwshim doctor: audit this environment (or a trace) and print the deployment fix. */
#include "cli/commands.h"
#include "cli/prove.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/kb.h"
#include "doctor/doctor.h"

const char cli_doctor_help[] =
        "Usage: rwshim doctor [--format text|json|dockerfile|kubernetes|compose]\n"
        "                     [--from TRACE.json [--prove [--unproven]]] [--user UID[:GID]]\n\n"
        "Audit the environment this command runs in -- uid and passwd entry, HOME, TMPDIR,\n"
        "/tmp, /var/tmp, /dev/shm, XDG dirs, read-only mounts, Python site-packages, and the\n"
        "tools of the knowledge base found here -- and print each problem with its fix.\n"
        "Run it as the user and in the image the application uses.\n\n"
        "  --format FMT     text (default), json, dockerfile (ENV + RUN mkdir/chown before\n"
        "                   USER), kubernetes (Pod patch: readOnlyRootFilesystem, emptyDirs,\n"
        "                   env), compose (read_only, tmpfs, environment)\n"
        "  --from FILE      build the fix from the writes in an NDJSON trace written by\n"
        "                   'rwshim trace --json' or 'rwshim check --json' ('-': stdin)\n"
        "  --prove          with --from: run the traced command again, as this user, here, with the\n"
        "                   fix simulated (env set; only its mounts writable, in memory; the rest\n"
        "                   read-only) and say per fix \"proven\" or \"not enough: still refused\";\n"
        "                   dockerfile, kubernetes and compose then carry only proven fixes\n"
        "  --unproven       with --prove: emit the fixes it did not prove too (marked so)\n"
        "  --user UID[:GID] the user the fix runs the app as (default: the caller; 65532 if root)\n\n"
        "The knowledge base is built into rwshim; files in $RWSHIM_DATA/kb, else in\n"
        "../share/rwshim/kb next to the rwshim executable, add tools or replace built-in ones.\n"
        "See docs/doctor.md.\n"
        "Exit status: 0 when the report was printed (whatever it found or proved), 125 on bad\n"
        "input or when --prove cannot run the traced command.\n";

struct doctor_args {
        const char *format;
        const char *from;
        long uid, gid;
        bool prove, unproven;
};

typedef int (*emit_fn)(const struct doctor_plan *p, FILE *out);

static emit_fn find_emitter(const char *format)
{
        static const struct { const char *name; emit_fn fn; } emitters[] = {
                { "text", doctor_emit_text }, { "json", doctor_emit_json },
                { "dockerfile", doctor_emit_dockerfile }, { "kubernetes", doctor_emit_kubernetes },
                { "compose", doctor_emit_compose },
        };

        for (size_t i = 0; i < sizeof(emitters) / sizeof(emitters[0]); i++)
                if (strcmp(format, emitters[i].name) == 0)
                        return emitters[i].fn;
        return NULL;
}

/* "UID" or "UID:GID", both decimal. */
static int parse_user(const char *s, long *uid, long *gid)
{
        char *end;

        errno = 0;
        *uid = strtol(s, &end, 10);
        if (errno || end == s || *uid < 0 || *uid > INT_MAX)
                return -EINVAL;
        *gid = *uid;
        if (*end == ':') {
                const char *g = end + 1;
                *gid = strtol(g, &end, 10);
                if (errno || end == g || *gid < 0 || *gid > INT_MAX)
                        return -EINVAL;
        }
        return *end == '\0' ? 0 : -EINVAL;
}

static int parse_args(int argc, char **argv, struct doctor_args *a)
{
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'f' }, { "from", required_argument, NULL, 'F' },
                { "user", required_argument, NULL, 'u' }, { "help", no_argument, NULL, 'h' },
                { "prove", no_argument, NULL, 'p' },      { "unproven", no_argument, NULL, 'U' },
                { NULL, 0, NULL, 0 },
        };
        int c;

        a->format = "text";
        a->uid = getuid() == 0 ? 65532 : (long)getuid();
        a->gid = getuid() == 0 ? 65532 : (long)getgid();
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                if (c == 'f')
                        a->format = optarg;
                else if (c == 'F')
                        a->from = optarg;
                else if (c == 'u' && parse_user(optarg, &a->uid, &a->gid) < 0)
                        return cli_usage_error("doctor", "bad --user '%s' (want UID or UID:GID)", optarg);
                else if (c == 'p')
                        a->prove = true;
                else if (c == 'U')
                        a->unproven = true;
                else if (c == 'h')
                        return fputs(cli_doctor_help, stdout), -1;
                else if (c == '?')
                        return cli_usage_error("doctor", "unknown or incomplete option '%s' (try 'rwshim help doctor')",
                                               argv[optind - 1]);
        }
        if (optind < argc)
                return cli_usage_error("doctor", "unexpected argument '%s'", argv[optind]);
        if (a->prove && !a->from)
                return cli_usage_error("doctor", "--prove needs --from TRACE.json (or use 'rwshim check --suggest --prove')");
        if (a->unproven && !a->prove)
                return cli_usage_error("doctor", "--unproven goes with --prove");
        if (!find_emitter(a->format))
                return cli_usage_error("doctor", "unknown format '%s' (text, json, dockerfile, kubernetes, compose)",
                                       a->format);
        return 0;
}

/* A program whose first argument is the script it runs. */
static bool is_interpreter(const char *prog)
{
        static const char *const names[] = { "python", "sh", "bash", "dash", "perl", "ruby", "node", NULL };
        const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;

        for (size_t i = 0; names[i]; i++)
                if (strncmp(base, names[i], strlen(names[i])) == 0)
                        return true;
        return false;
}

/* The traced command, if it is still here: the program, and the script an interpreter ran. */
static int command_present(char *const *argv, struct rw_err *e)
{
        if (!argv || !argv[0] || !argv[0][0])
                return rw_err_set(e, ENOENT, "prove: the trace names no command", "(no process record)");
        if (strchr(argv[0], '/') && access(argv[0], X_OK) < 0)
                return rw_err_set(e, errno, "prove: command", argv[0]);
        if (is_interpreter(argv[0]) && argv[1] && argv[1][0] == '/' && access(argv[1], F_OK) < 0)
                return rw_err_set(e, errno, "prove: the traced command is gone", argv[1]);
        return 0;
}

/* --prove: simulates the plan's env vars and dirs, and marks each with the verdict. */
static int doctor_prove(struct doctor_plan *p, FILE *report, struct rw_err *e)
{
        size_t n = p->n_env + p->n_dirs;
        struct prove_item *items = calloc(n + 1, sizeof(*items));
        struct prove_result res;
        char note[256];
        int r;

        if (!items)
                return rw_err_set(e, ENOMEM, "prove", p->source);
        for (size_t i = 0; i < p->n_env; i++) {
                items[i].fix = (struct rw_fix){ .kind = RW_FIX_KNOB, .source = "kb" };
                snprintf(items[i].fix.env, sizeof(items[i].fix.env), "%s", p->env[i].name);
                snprintf(items[i].fix.value, sizeof(items[i].fix.value), "%s", p->env[i].value);
        }
        for (size_t i = 0; i < p->n_dirs; i++) {
                struct rw_fix *f = &items[p->n_env + i].fix;

                f->kind = p->dirs[i].kind;
                f->source = p->dirs[i].source;
                snprintf(f->path, sizeof(f->path), "%s", p->dirs[i].path);
        }
        r = command_present(p->argv, e);
        if (r >= 0 && cli_prove(p->argv, items, n, 0, &res, e) < 0)
                r = -1;
        if (r >= 0) {
                cli_prove_print(report, p->argv, items, n, &res);
                for (size_t i = 0; i < n; i++) {
                        enum doctor_proof v = items[i].verdict == PROVE_PROVEN ? DOCTOR_PROVEN
                                            : items[i].verdict == PROVE_NOT_NEEDED ? DOCTOR_NOT_NEEDED : DOCTOR_NOT_ENOUGH;

                        *(i < p->n_env ? &p->env[i].proof : &p->dirs[i - p->n_env].proof) = v;
                }
                p->proved = true;
                p->passed = res.status == 0 && res.nrefused == 0;
                snprintf(note, sizeof(note), "re-ran %s with this fix simulated: %s", p->argv[0],
                         p->passed ? "it passed, writing only where the fix allows" : "not enough (see its report)");
                p->proof_note = strdup(note);
        }
        free(items);
        return r;
}

static int from_trace(struct doctor_plan *p, const struct rw_kb *kb, const char *file, struct rw_err *e)
{
        struct rw_kb_matcher *mt;
        int r = doctor_trace_matcher_new(kb, &mt);

        if (r < 0)
                return rw_err_set(e, -r, "load knowledge base", "matcher");
        r = doctor_from_trace(p, mt, file, e);
        rw_kb_matcher_free(mt);
        return r;
}

/* Loads the KB, builds the plan from the environment or the trace, and prints it. */
static int run_doctor(const struct doctor_args *a, struct rw_err *e)
{
        char override[PATH_MAX];
        struct rw_kb *kb = NULL;
        struct doctor_plan plan;
        int r;

        r = rw_kb_load_default(&kb, override, sizeof(override), e);
        if (r < 0)
                return r;
        /* The audit reports on the real caller; only the emitted fix uses --user. */
        doctor_plan_init(&plan, a->uid, a->gid, a->from ? a->from : "environment");
        r = a->from ? from_trace(&plan, kb, a->from, e) : doctor_audit(&plan, kb, e);
        if (r >= 0 && a->prove)
                r = doctor_prove(&plan, strcmp(a->format, "text") == 0 ? stdout : stderr, e);
        plan.unproven_too = a->unproven;
        if (r >= 0) {
                doctor_plan_sort(&plan);
                r = find_emitter(a->format)(&plan, stdout);
                if (r >= 0 && fflush(stdout) != 0)
                        r = -errno;
                if (r < 0)
                        rw_err_set(e, -r, "write report", "stdout");
        }
        doctor_plan_free(&plan);
        rw_kb_free(kb);
        return r;
}

int cli_doctor(int argc, char **argv)
{
        struct doctor_args a = { 0 };
        struct rw_err e = { 0 };
        int r = parse_args(argc, argv, &a);

        if (r < 0)
                return 0;       /* --help */
        if (r > 0)
                return r;
        if (run_doctor(&a, &e) < 0) {
                rw_err_print(&e);
                return CLI_EXIT_OWN_ERROR;
        }
        return 0;
}
