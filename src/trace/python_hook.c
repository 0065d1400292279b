/* Finding and enabling the Python audit hook; see python_hook.h. */
#include "trace/python_hook.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int has_hook(const char *dir)
{
        char path[PATH_MAX];

        if ((size_t)snprintf(path, sizeof(path), "%s/sitecustomize.py", dir) >= sizeof(path))
                return 0;
        return access(path, R_OK) == 0;
}

int trace_python_dir(char *buf, size_t size)
{
        static const char *const rel[] = { "../share/rwshim/python", "../data/python", NULL };
        const char *data = getenv("RWSHIM_DATA");
        char exe[PATH_MAX];
        ssize_t len;
        char *slash;

        if (data && data[0] == '/' && (size_t)snprintf(buf, size, "%s/python", data) < size && has_hook(buf))
                return 0;
        len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (len <= 0)
                return -ENOENT;
        exe[len] = '\0';
        slash = strrchr(exe, '/');
        if (!slash)
                return -ENOENT;
        *slash = '\0';
        for (size_t i = 0; rel[i]; i++)
                if ((size_t)snprintf(buf, size, "%s/%s", exe, rel[i]) < size && has_hook(buf))
                        return 0;
        return -ENOENT;
}

int trace_python_hook_setenv(void)
{
        char dir[PATH_MAX], value[2 * PATH_MAX];
        const char *old = getenv("PYTHONPATH");

        if (trace_python_dir(dir, sizeof(dir)) < 0)
                return -ENOENT;
        if ((size_t)snprintf(value, sizeof(value), "%s%s%s", dir, old && *old ? ":" : "",
                             old ? old : "") >= sizeof(value))
                return -ENAMETOOLONG;
        return setenv("PYTHONPATH", value, 1) < 0 ? -errno : 0;
}
