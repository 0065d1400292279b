/* The fix for one refused write; see advice.h. */
#include "core/advice.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const char *rw_fix_kind_name(enum rw_fix_kind kind)
{
        static const char *const names[] = { "knob", "mount", "file-mount", "rwshim-run" };

        return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

int rw_dir_is_empty(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        int empty = 1;

        if (!d)
                return -errno;
        while (empty && (de = readdir(d)))
                empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
        closedir(d);
        return empty;
}

static int exists(const char *path, struct stat *st)
{
        return lstat(path, st) == 0;
}

/* Cuts buf at its last '/' (keeping "/" for a child of the root). */
static void to_parent(char *buf)
{
        char *slash = strrchr(buf, '/');

        if (slash == buf)
                buf[1] = '\0';
        else if (slash)
                *slash = '\0';
}

/* The topmost missing directory on the way to path (path itself when only it is missing), or
 * "" when path's parent exists. A mount there hides nothing: the runtime creates it. */
static void topmost_missing(const char *path, char *buf, size_t size)
{
        char cur[PATH_MAX], missing[PATH_MAX] = "";
        struct stat st;

        snprintf(cur, sizeof(cur), "%s", path);
        to_parent(cur);
        while (strcmp(cur, "/") != 0 && !exists(cur, &st)) {
                snprintf(missing, sizeof(missing), "%s", cur);
                to_parent(cur);
        }
        snprintf(buf, size, "%s", missing);
}

static int set(struct rw_fix *ret, enum rw_fix_kind kind, const char *path, const char *why)
{
        ret->kind = kind;
        snprintf(ret->path, sizeof(ret->path), "%s", path);
        ret->why = why;
        return 0;
}

int rw_fix_infer(const char *path, int creates_dir, int replaces, int fixed_name, struct rw_fix *ret)
{
        char dir[PATH_MAX];
        struct stat st;

        memset(ret, 0, sizeof(*ret));
        ret->source = "inferred";
        if (path[0] != '/')
                return -EINVAL;
        topmost_missing(path, dir, sizeof(dir));
        if (dir[0])
                return set(ret, RW_FIX_MOUNT, dir, "a directory that does not exist here yet");
        if (creates_dir && strcmp(path, "/") != 0)
                return set(ret, RW_FIX_MOUNT, path, "the directory it creates");
        snprintf(dir, sizeof(dir), "%s", path);
        to_parent(dir);
        if (strcmp(dir, "/") != 0 && rw_dir_is_empty(dir) == 1)
                return set(ret, RW_FIX_MOUNT, dir, "a directory that is empty here");
        /* The directory holds files the program may read: a volume there would hide them. */
        if (replaces)
                return set(ret, RW_FIX_RWSHIM_RUN, path,
                           "an atomic replace or removal in a non-empty directory: no mount can allow it");
        if (exists(path, &st) ? S_ISREG(st.st_mode) : fixed_name)
                return set(ret, RW_FIX_FILE_MOUNT, path,
                           "one file in a non-empty directory: mount that file, not the directory");
        if (exists(path, &st) && S_ISDIR(st.st_mode) && rw_dir_is_empty(path) == 1)
                return set(ret, RW_FIX_MOUNT, path, "a directory that is empty here");
        return set(ret, RW_FIX_RWSHIM_RUN, path,
                   "new files with changing names in a non-empty directory: no mount can allow it");
}

void rw_fix_knob(const char *env, const char *tool, int ram_ok, struct rw_fix *ret)
{
        memset(ret, 0, sizeof(*ret));
        ret->kind = RW_FIX_KNOB;
        ret->source = "kb";
        ret->why = "the knowledge base's variable moves it";
        snprintf(ret->env, sizeof(ret->env), "%s", env);
        snprintf(ret->value, sizeof(ret->value), "%s/%s", ram_ok ? RW_FIX_CACHE_ROOT : RW_FIX_STATE_ROOT,
                 tool);
        snprintf(ret->path, sizeof(ret->path), "%s", ret->value);
}
