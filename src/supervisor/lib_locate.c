/* Finding librwshim.so: $RWSHIM_LIB, beside the executable, or ../lib/rwshim/ from it. */
#include "supervisor/launch.h"

#include "core/self_dir.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usable(const char *path)
{
        return access(path, R_OK) == 0;
}

int sup_find_preload_lib(char *buf, size_t size, struct rw_err *e)
{
        static const char *const relative[] = { "librwshim.so", "../lib/rwshim/librwshim.so", "../lib/librwshim.so" };
        char exe[PATH_MAX];
        const char *env = getenv("RWSHIM_LIB");
        int r;

        if (env && *env) {
                if (env[0] != '/' || !usable(env) || strlen(env) + 1 > size)
                        return rw_err_set(e, env[0] != '/' ? EINVAL : errno ? errno : ENAMETOOLONG,
                                          "RWSHIM_LIB is not a readable absolute path", env);
                strcpy(buf, env);
                return 0;
        }
        if ((r = rw_self_dir(exe, sizeof(exe), e)) < 0)
                return r;
        for (size_t i = 0; i < sizeof(relative) / sizeof(relative[0]); i++) {
                char candidate[PATH_MAX];
                if (snprintf(candidate, sizeof(candidate), "%s/%s", exe, relative[i]) >= (int)sizeof(candidate))
                        continue;
                if (usable(candidate) && realpath(candidate, buf) && strlen(buf) < size)
                        return 0;
        }
        rw_err_set(e, ENOENT, "cannot find the preload library librwshim.so near", exe);
        return rw_err_hint(e, "install it in ../lib/rwshim/ or beside rwshim, or set RWSHIM_LIB");
}

int sup_find_musl_lib(const char *lib, char *buf, size_t size)
{
        const char *slash = strrchr(lib, '/');
        int dir = slash ? (int)(slash - lib) + 1 : 0;

        if (snprintf(buf, size, "%.*slibrwshim-musl.so", dir, lib) >= (int)size)
                return -ENAMETOOLONG;
        return usable(buf) ? 0 : -errno;
}
