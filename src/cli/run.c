/* rwshim run: CMD with denied writes redirected copy-on-write into an upper dir. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "supervisor/identity_entry.h"
#include "supervisor/launch.h"
#include "supervisor/run_summary.h"
#include "supervisor/upper_choice.h"

const char cli_run_help[] =
        "Usage: rwshim run [--upper DIR | --memory] [--only PATH]... [--exclude PATH]... [--passwd] [-v]\n"
        "                  [--] CMD [ARG]...\n"
        "\n"
        "Run CMD; every write that fails for lack of permission (EACCES, EPERM, EROFS) is redone\n"
        "copy-on-write in an upper dir, and every process of the run sees one merged view.\n"
        "\n"
        "  --upper DIR     keep redirected files in DIR (persistent; reused by later runs)\n"
        "  --memory        keep them in RAM (/dev/shm) and throw them away at exit\n"
        "  --only PATH     redirect only under PATH (repeatable)\n"
        "  --exclude PATH  never redirect under PATH (repeatable)\n"
        "  --passwd        if this uid (or gid) has no passwd (group) entry, give the run one in the\n"
        "                  upper's /etc/passwd: a name, the gid, a writable HOME (HOME is set when\n"
        "                  unset or /); the image is not changed\n"
        "  -v, --verbose   say which upper dir was chosen, and list redirected calls at exit\n"
        "\n"
        "Default upper: $RWSHIM_UPPER, else the first usable of $XDG_STATE_HOME/rwshim,\n"
        "$HOME/.local/state/rwshim, /tmp/rwshim-<uid>, /dev/shm/rwshim-<uid>.\n"
        "See what it holds with `rwshim diff --upper DIR`.\n"
        "\n"
        "Once the upper holds /etc/passwd, /etc/group, /etc/shadow, /etc/hosts, /etc/resolv.conf or\n"
        "/etc/localtime, the C library's lookups (getpwuid, getgrouplist, getaddrinfo, the resolver,\n"
        "localtime...) answer from it.\n"
        "\n"
        "Exit status: CMD's own (signal N -> 128+N); 125 rwshim's own error (bad option,\n"
        "unusable upper dir); 126 CMD not executable; 127 CMD not found.\n";

struct run_options {
        const char *upper;
        int memory;
        int verbose;
        int passwd;
        char only[4096];
        char exclude[4096];
};

static int parse(int argc, char **argv, struct run_options *o)
{
        static const struct option longopts[] = {
                { "upper", required_argument, NULL, 'u' }, { "memory", no_argument, NULL, 'm' },
                { "only", required_argument, NULL, 'o' },  { "exclude", required_argument, NULL, 'x' },
                { "verbose", no_argument, NULL, 'v' },     { "help", no_argument, NULL, 'h' },
                { "passwd", no_argument, NULL, 'p' },
                { NULL, 0, NULL, 0 },
        };
        int c;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+vh", longopts, NULL)) != -1) {
                switch (c) {
                case 'u': o->upper = optarg; break;
                case 'm': o->memory = 1; break;
                case 'v': o->verbose = 1; break;
                case 'p': o->passwd = 1; break;
                case 'h': fputs(cli_run_help, stdout); return -1;
                case 'o':
                case 'x':
                        if (cli_append_abs_path(c == 'o' ? o->only : o->exclude, sizeof(o->only), optarg) < 0)
                                return cli_usage_error("run", "--%s needs an absolute path, got '%s'",
                                                       c == 'o' ? "only" : "exclude", optarg), -2;
                        break;
                default:
                        return cli_usage_error("run", "%s (try 'rwshim run --help')", cli_bad_option(argv)), -2;
                }
        }
        if (o->upper && o->memory)
                return cli_usage_error("run", "--upper and --memory exclude each other"), -2;
        if (optind >= argc)
                return cli_usage_error("run", "no command given (usage: rwshim run [OPTION]... [--] CMD [ARG]...)"), -2;
        return optind;
}

/* --passwd, before CMD starts: its environment gets HOME, USER, LOGNAME. */
static int give_identity(const struct run_options *o, const char *upper)
{
        struct sup_identity id;
        struct rw_err e = { 0 };

        if (sup_identity_ensure(upper, &id, &e) < 0) {
                rw_err_print(&e);
                return -1;
        }
        if (o->verbose && id.line[0])
                fprintf(stderr, "rwshim: uid %ld had no passwd entry; the run sees %s", (long)getuid(), id.line);
        else if (o->verbose)
                fprintf(stderr, "rwshim: uid %ld is %s (home %s)\n", (long)getuid(), id.name, id.home);
        if (o->verbose && id.added_group)
                fprintf(stderr, "rwshim: gid %ld had no group entry; one was added\n", (long)getgid());
        return 0;
}

int cli_run(int argc, char **argv)
{
        struct run_options o = { 0 };
        struct sup_upper upper;
        struct rw_err e = { 0 };
        int first = parse(argc, argv, &o);

        if (first < 0)
                return first == -1 ? 0 : CLI_EXIT_OWN_ERROR;
        if (sup_choose_upper(o.upper, o.memory, o.only, &upper, &e) < 0) {
                rw_err_print(&e);
                return CLI_EXIT_OWN_ERROR;
        }
        if (o.verbose)
                fprintf(stderr, "rwshim: upper dir: %s (%s)\n", upper.path, upper.why);
        if (o.passwd && give_identity(&o, upper.path) < 0) {
                sup_release_upper(&upper);
                return CLI_EXIT_OWN_ERROR;
        }
        /* -v: the preload records what it redirects into a file of the upper's metadata. */
        char events[PATH_MAX + 64] = "";
        if (o.verbose) {
                snprintf(events, sizeof(events), "%s/.rwshim/events-%d.ndjson", upper.path, (int)getpid());
                unlink(events);
        }
        struct sup_launch l = {
                .argv = argv + first, .mode = "run", .upper = upper.path, .verbose = o.verbose,
                .only = o.only[0] ? o.only : NULL, .exclude = o.exclude[0] ? o.exclude : NULL,
                .events_path = events[0] ? events : NULL,
        };
        int status = sup_launch_and_wait(&l, NULL, &e);
        if (events[0]) {
                sup_print_run_summary(stderr, events, 20);
                unlink(events);
        }
        sup_release_upper(&upper);
        if (status < 0) {
                rw_err_print(&e);
                return CLI_EXIT_OWN_ERROR;
        }
        return status;
}
