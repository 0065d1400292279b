/* The directory of the running executable (CLI side). */
#include "core/self_dir.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int rw_self_dir(char *buf, size_t size, struct rw_err *e)
{
        ssize_t n = readlink("/proc/self/exe", buf, size - 1);
        char *slash;

        if (n < 0)
                return rw_err_set(e, errno, "find own executable", "/proc/self/exe");
        if ((size_t)n >= size - 1)
                return rw_err_set(e, ENAMETOOLONG, "find own executable", "/proc/self/exe");
        buf[n] = '\0';
        slash = strrchr(buf, '/');
        if (slash)
                *(slash == buf ? slash + 1 : slash) = '\0';
        return 0;
}
