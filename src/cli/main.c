/* rwshim entry point: dispatches to one subcommand from a table; nothing else lives here. */
#include "cli/commands.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct command {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *help;
        const char *summary;
};

static const struct command commands[] = {
        { "run",    cli_run,    cli_run_help,    "run CMD; denied writes go copy-on-write to an upper dir" },
        { "diff",   cli_diff,   cli_diff_help,   "list what an upper dir holds (A/C/D per path)" },
        { "trace",  cli_trace,  cli_trace_help,  "report every write and denied access of CMD, with culprit and fix" },
        { "check",  cli_check,  cli_check_help,  "run CMD under a read-only root; fail on writes outside --writable" },
        { "doctor", cli_doctor, cli_doctor_help, "audit this environment; emit the deployment fix" },
};

static const struct command *find_command(const char *name)
{
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (strcmp(commands[i].name, name) == 0)
                        return &commands[i];
        return NULL;
}

static void print_main_help(void)
{
        printf("Usage: rwshim COMMAND [OPTION]... [--] [CMD [ARG]...]\n\n"
               "Make programs work where they cannot write, and say what they write.\n\n"
               "Commands:\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                printf("  %-8s %s\n", commands[i].name, commands[i].summary);
        printf("\n  help COMMAND   show the help of COMMAND\n"
               "  --version      print the version\n\n"
               "Exit status: run/trace/check return CMD's status (signal N -> 128+N);\n"
               "check returns 3 if CMD succeeded but wrote outside the writable set;\n"
               "125 rwshim's own error, 126 CMD not executable, 127 CMD not found.\n"
               "See rwshim(1).\n");
}

int cli_help_for(const char *name)
{
        const struct command *c = find_command(name);

        if (!c)
                return cli_usage_error(NULL, "unknown command '%s' (try 'rwshim --help')", name);
        fputs(c->help, stdout);
        return 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
        va_list ap;

        fputs(cmd ? "rwshim " : "rwshim", stderr);
        if (cmd)
                fputs(cmd, stderr);
        fputs(": ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return CLI_EXIT_OWN_ERROR;
}

int main(int argc, char **argv)
{
        const struct command *c;

        if (argc < 2)
                return print_main_help(), CLI_EXIT_OWN_ERROR;
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
                return print_main_help(), 0;
        if (strcmp(argv[1], "--version") == 0)
                return printf("rwshim %s\n", RWSHIM_VERSION), 0;
        if (strcmp(argv[1], "help") == 0) {
                if (argc < 3)
                        return print_main_help(), 0;
                return cli_help_for(argv[2]);
        }
        if (strcmp(argv[1], CLI_EXEC_SERVED) == 0)   /* internal, not listed */
                return cli_exec_served(argc - 1, argv + 1);
        c = find_command(argv[1]);
        if (!c)
                return cli_usage_error(NULL, "unknown command '%s' (try 'rwshim --help')", argv[1]);
        return c->run(argc - 1, argv + 1);
}
