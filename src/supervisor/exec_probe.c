/* Classifying CMD before exec: found, executable, static, setuid. */
#include "supervisor/exec_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/elf_probe.h"

static int check_file(const char *path)
{
        struct stat st;

        if (stat(path, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode) || access(path, X_OK) < 0)
                return -EACCES;
        return 0;
}

/* cmd looked up under root ("" for /): with a '/', relative to the cwd; else in PATH. */
static int find_under(const char *root, const char *cmd, char *out, size_t size)
{
        const char *path = getenv("PATH");
        char cwd[PATH_MAX] = "";
        int saw_eacces = 0;

        if (!*cmd)
                return -ENOENT;
        if (strchr(cmd, '/')) {
                if (*root && cmd[0] != '/' && !getcwd(cwd, sizeof(cwd)))
                        return -ENOENT;
                if ((size_t)snprintf(out, size, "%s%s%s%s", root, cwd, *cwd ? "/" : "", cmd) >= size)
                        return -ENAMETOOLONG;
                int r = check_file(out);
                return r == -ENOENT || r == -ENOTDIR ? -ENOENT : r < 0 ? -EACCES : 0;
        }
        if (!path)
                path = "/usr/local/bin:/usr/bin:/bin";
        while (*path) {
                const char *end = strchr(path, ':');
                size_t len = end ? (size_t)(end - path) : strlen(path);

                if ((size_t)snprintf(out, size, "%s%.*s/%s", root, (int)len, len ? path : ".", cmd) < size) {
                        int r = check_file(out);
                        if (r == 0)
                                return 0;
                        saw_eacces |= r == -EACCES;
                }
                if (!end)
                        break;
                path = end + 1;
        }
        return saw_eacces ? -EACCES : -ENOENT;
}

int sup_find_command(const char *cmd, char *out, size_t size)
{
        return find_under("", cmd, out, size);
}

int sup_find_command_in_upper(const char *upper, const char *cmd, char *out, size_t size)
{
        char root[PATH_MAX];

        if ((size_t)snprintf(root, sizeof(root), "%s/fs", upper) >= sizeof(root))
                return -ENAMETOOLONG;
        return find_under(root, cmd, out, size);
}

int sup_is_static_elf(const char *path)
{
        return rw_exec_kind_supervised(sup_exec_kind(path));
}

enum rw_exec_kind sup_exec_kind(const char *path)
{
        return rw_exec_kind(path, NULL, 0);
}

int sup_is_setid(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID)) != 0;
}
