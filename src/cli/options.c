/* Option helpers shared by the subcommands. */
#include "cli/options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/path.h"

int cli_append_abs_path(char *list, size_t size, const char *path)
{
        char norm[PATH_MAX];
        size_t len = strlen(list);
        int n;

        if (path[0] != '/' || strchr(path, ':'))
                return -EINVAL;
        n = rw_path_normalize(NULL, path, norm, sizeof(norm));
        if (n < 0)
                return n;
        if (len + (size_t)n + 2 > size)
                return -ENAMETOOLONG;
        if (len)
                list[len++] = ':';
        memcpy(list + len, norm, (size_t)n + 1);
        return 0;
}

const char *cli_bad_option(char **argv)
{
        static char msg[300];
        const char *opt = argv[optind - 1];

        if (optopt && optopt != '?' && optopt < 128 && strchr("uox", optopt) == NULL)
                snprintf(msg, sizeof(msg), "unknown option '-%c'", optopt);
        else if (optopt)
                snprintf(msg, sizeof(msg), "option '%s' needs a value", opt);
        else
                snprintf(msg, sizeof(msg), "unknown option '%s'", opt);
        return msg;
}
