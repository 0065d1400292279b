/* The subcommands: one file each under cli/, dispatched from main.c's table.
 * Each returns the process exit status (see docs/rwshim.1 for the codes). */
#ifndef CLI_COMMANDS_H
#define CLI_COMMANDS_H

#define CLI_EXIT_OWN_ERROR   125   /* rwshim's own error: bad option, unusable upper dir */
#define CLI_EXIT_CANNOT_EXEC 126   /* command found but not executable */
#define CLI_EXIT_NOT_FOUND   127   /* command not found */
#define CLI_EXIT_WROTE_OUTSIDE 3   /* check: command succeeded but wrote outside the writable set */

int cli_run(int argc, char **argv);
int cli_diff(int argc, char **argv);
int cli_trace(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_doctor(int argc, char **argv);

/* `rwshim __exec MODE PATH ARG0 [ARG]...`, internal: what the preload's posix_spawn starts in place
 * of a static or Go program, so that the child can hand itself to the supervisor before it
 * execs PATH (src/cli/exec_served.c). */
#define CLI_EXEC_SERVED "__exec"
int cli_exec_served(int argc, char **argv);

/* Prints the help of one subcommand to stdout; returns 0, or 125 if the name is unknown. */
int cli_help_for(const char *name);

/* Reports a usage error as one line on stderr and returns 125. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));



/* Each subcommand file owns its --help text. */
extern const char cli_run_help[];
extern const char cli_diff_help[];
extern const char cli_trace_help[];
extern const char cli_check_help[];
extern const char cli_doctor_help[];
#endif
