/* What the kernel tells a static program about where it is, mapped back from the upper: once
 * its cwd (or an exec'ed image, or an fd) is in the upper, getcwd(2) and readlink of
 * /proc/<pid>/{cwd,exe,fd/N} must answer the virtual path, as the preload does for dynamic ones. */
#ifndef SUPERVISOR_NOTIFY_VIRTUAL_H
#define SUPERVISOR_NOTIFY_VIRTUAL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "core/layer.h"
#include "supervisor/notify_tracee.h"

#define SUP_VIRTUAL_KERNEL LONG_MIN   /* not in the upper: the kernel's answer is the right one */

/* getcwd(buf, size) of the caller: the length written with its NUL, -ERANGE, -EFAULT, or
 * SUP_VIRTUAL_KERNEL. verify() is called after reading /proc and before writing. */
long sup_virtual_getcwd(const struct rw_upper *u, struct sup_caller *c, uint64_t buf, size_t size,
                        int (*verify)(void *ctx), void *ctx);

/* readlink(abs, buf, size) where abs (absolute, /proc/self already made /proc/<tid>) is a
 * /proc magic link: the bytes written, -EFAULT, or SUP_VIRTUAL_KERNEL. */
long sup_virtual_proc_readlink(const struct rw_upper *u, struct sup_caller *c, const char *abs, uint64_t buf,
                               long size);

#endif
