/* rwshim diff: what an upper dir holds, as A (added), C (changed) and D (deleted) per path,
 * like `docker diff`. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/layer.h"
#include "core/upper_dir.h"

const char cli_diff_help[] =
        "Usage: rwshim diff [--upper DIR] [--json]\n"
        "\n"
        "List what the upper dir holds: A path added, C path changed (its lower original is\n"
        "shadowed), D path deleted (a whiteout). Without --upper, the default upper of `run`.\n"
        "  --json   one JSON array of {\"kind\":\"A|C|D\",\"path\":\"/...\"}\n"
        "\n"
        "Exit status: 0, or 125 when the upper dir cannot be read.\n";

struct diff_out {
        int json;
        int count;
};

static void json_string(const char *s)
{
        putchar('"');
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                if (c == '"' || c == '\\')
                        printf("\\%c", c);
                else if (c < 0x20)
                        printf("\\u%04x", c);
                else
                        putchar(c);
        }
        putchar('"');
}

static void emit(struct diff_out *o, char kind, const char *path)
{
        if (!o->json) {
                printf("%c %s\n", kind, path);
        } else {
                printf("%s{\"kind\":\"%c\",\"path\":", o->count ? ",\n " : "[", kind);
                json_string(path);
                putchar('}');
        }
        o->count++;
}

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists dir (real path), virtual path virt, in sorted order, recursing into directories. */
static int walk(struct diff_out *o, const char *real, const char *virt)
{
        DIR *d = opendir(real);
        struct dirent *e;
        char **names = NULL;
        size_t n = 0, cap = 0;

        if (!d)
                return -errno;
        while ((e = readdir(d)) != NULL) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, RW_OPAQUE_NAME))
                        continue;
                if (n == cap) {
                        cap = cap ? 2 * cap : 64;
                        char **nn = realloc(names, cap * sizeof(*names));
                        if (!nn)
                                break;
                        names = nn;
                }
                if (!(names[n] = strdup(e->d_name)))
                        break;
                n++;
        }
        closedir(d);
        if (n)   /* qsort(NULL, 0, ...) is undefined: an empty directory has no list at all */
                qsort(names, n, sizeof(*names), compare_names);
        for (size_t i = 0; i < n; i++) {
                char r[PATH_MAX], v[PATH_MAX];
                const char *name = names[i];
                int wh = strncmp(name, RW_WHITEOUT_PREFIX, 4) == 0;
                struct stat st, lower;

                snprintf(r, sizeof(r), "%s/%s", real, name);
                snprintf(v, sizeof(v), "%s/%s", strcmp(virt, "/") ? virt : "", wh ? name + 4 : name);
                if (wh) {
                        emit(o, 'D', v);
                } else if (lstat(r, &st) == 0) {
                        emit(o, lstat(v, &lower) == 0 ? 'C' : 'A', v);
                        if (S_ISDIR(st.st_mode))
                                walk(o, r, v);
                }
                free(names[i]);
        }
        free(names);
        return 0;
}

int cli_diff(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "upper", required_argument, NULL, 'u' }, { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
        };
        const char *upper = getenv("RWSHIM_UPPER");
        char fs[PATH_MAX], def[PATH_MAX];
        struct diff_out o = { 0 };
        struct rw_err e = { 0 };
        int c;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                if (c == 'u')
                        upper = optarg;
                else if (c == 'j')
                        o.json = 1;
                else if (c == 'h')
                        return fputs(cli_diff_help, stdout), 0;
                else
                        return cli_usage_error("diff", "%s (try 'rwshim diff --help')", cli_bad_option(argv));
        }
        if (optind < argc)
                return cli_usage_error("diff", "unexpected argument '%s'", argv[optind]);
        if (!upper) {
                snprintf(def, sizeof(def), "/tmp/rwshim-%u", (unsigned)geteuid());
                const char *home = getenv("HOME");
                char candidate[PATH_MAX];
                if (home && snprintf(candidate, sizeof(candidate), "%s/.local/state/rwshim", home) > 0 &&
                    access(candidate, F_OK) == 0)
                        snprintf(def, sizeof(def), "%s", candidate);
                upper = def;
        }
        if (rw_upper_check_existing(upper, &e) < 0) {
                rw_err_print(&e);
                return CLI_EXIT_OWN_ERROR;
        }
        if (snprintf(fs, sizeof(fs), "%s/fs", upper) >= (int)sizeof(fs))
                return cli_usage_error("diff", "upper dir path too long");
        walk(&o, fs, "/");
        if (o.json)
                puts(o.count ? "]" : "[]");
        return 0;
}
