/* Option helpers shared by the subcommands. */
#ifndef CLI_OPTIONS_H
#define CLI_OPTIONS_H

#include <stddef.h>

/* Appends path (must be absolute) to the ':'-separated list, normalised.
 * Returns 0, or -EINVAL (relative) / -ENAMETOOLONG. */
int cli_append_abs_path(char *list, size_t size, const char *path);

/* The option getopt just refused, as "unknown option '--x'" or "option '--x' needs a value". */
const char *cli_bad_option(char **argv);

#endif
