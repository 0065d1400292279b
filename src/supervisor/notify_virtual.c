/* Virtual answers for a static program whose cwd or image is in the upper; see
 * notify_virtual.h. */
#include "supervisor/notify_virtual.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

long sup_virtual_getcwd(const struct rw_upper *u, struct sup_caller *c, uint64_t buf, size_t size,
                        int (*verify)(void *ctx), void *ctx)
{
        char cwd[PATH_MAX];

        if (sup_caller_base(c, u, AT_FDCWD, cwd, sizeof(cwd)) != 1 || verify(ctx) != 0)
                return SUP_VIRTUAL_KERNEL;
        size_t n = strlen(cwd) + 1;   /* the syscall's convention: the length with the NUL */
        if (size < n)
                return -ERANGE;
        int r = sup_caller_write(c, buf, cwd, n);
        return r < 0 ? r : (long)n;
}

long sup_virtual_proc_readlink(const struct rw_upper *u, struct sup_caller *c, const char *abs, uint64_t buf,
                               long size)
{
        char real[PATH_MAX], virt[PATH_MAX];
        ssize_t n;

        if (strncmp(abs, "/proc/", 6) != 0 || size <= 0 || (n = readlink(abs, real, sizeof(real) - 1)) < 0)
                return SUP_VIRTUAL_KERNEL;
        real[n] = '\0';
        if (rw_upper_to_virtual(u, real, virt, sizeof(virt)) != 1)
                return SUP_VIRTUAL_KERNEL;
        n = (ssize_t)strlen(virt);
        if (n > size)
                n = size;   /* readlink truncates silently */
        int r = sup_caller_write(c, buf, virt, (size_t)n);
        return r < 0 ? r : n;
}
