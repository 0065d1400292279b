/* The file syscalls of the static backend; see ptrace_syscalls.h. Names are resolved through
 * libseccomp, so the table holds no per-architecture numbers; a name the architecture lacks
 * (open, mkdir... on arm64) is simply skipped. */
#include "supervisor/ptrace_syscalls.h"

#include <errno.h>
#include <stddef.h>

static const struct sup_file_syscall table[] = {
        /* name         dirfd path dirfd2 path2 flags write lookup */
        { "open",        -1, 0, -1, -1,  1, 0, 0 },
        { "openat",       0, 1, -1, -1,  2, 0, 0 },
        { "openat2",      0, 1, -1, -1, -2, 0, 0 },
        { "creat",       -1, 0, -1, -1, -1, 1, 0 },
        { "mkdir",       -1, 0, -1, -1, -1, 1, 0 },
        { "mkdirat",      0, 1, -1, -1, -1, 1, 0 },
        { "rmdir",       -1, 0, -1, -1, -1, 1, 0 },
        { "unlink",      -1, 0, -1, -1, -1, 1, 0 },
        { "unlinkat",     0, 1, -1, -1, -1, 1, 0 },
        { "rename",      -1, 0, -1,  1, -1, 1, 0 },
        { "renameat",     0, 1,  2,  3, -1, 1, 0 },
        { "renameat2",    0, 1,  2,  3, -1, 1, 0 },
        { "link",        -1, 0, -1,  1, -1, 1, 0 },
        { "linkat",       0, 1,  2,  3, -1, 1, 0 },
        { "symlink",     -1, 1, -1, -1, -1, 1, 0 },
        { "symlinkat",    1, 2, -1, -1, -1, 1, 0 },
        { "chmod",       -1, 0, -1, -1, -1, 1, 0 },
        { "fchmodat",     0, 1, -1, -1, -1, 1, 0 },
        { "fchmodat2",    0, 1, -1, -1, -1, 1, 0 },
        { "chown",       -1, 0, -1, -1, -1, 1, 0 },
        { "lchown",      -1, 0, -1, -1, -1, 1, 0 },
        { "fchownat",     0, 1, -1, -1, -1, 1, 0 },
        { "truncate",    -1, 0, -1, -1, -1, 1, 0 },
        { "utime",       -1, 0, -1, -1, -1, 1, 0 },
        { "utimes",      -1, 0, -1, -1, -1, 1, 0 },
        { "futimesat",    0, 1, -1, -1, -1, 1, 0 },
        { "utimensat",    0, 1, -1, -1, -1, 1, 0 },
        { "mknod",       -1, 0, -1, -1, -1, 1, 0 },
        { "mknodat",      0, 1, -1, -1, -1, 1, 0 },
        { "setxattr",    -1, 0, -1, -1, -1, 1, 0 },
        { "lsetxattr",   -1, 0, -1, -1, -1, 1, 0 },
        { "removexattr", -1, 0, -1, -1, -1, 1, 0 },
        { "lremovexattr",-1, 0, -1, -1, -1, 1, 0 },
        { "stat",        -1, 0, -1, -1, -1, 0, 1 },
        { "lstat",       -1, 0, -1, -1, -1, 0, 1 },
        { "newfstatat",   0, 1, -1, -1, -1, 0, 1 },
        { "statx",        0, 1, -1, -1, -1, 0, 1 },
        { "access",      -1, 0, -1, -1, -1, 0, 1 },
        { "faccessat",    0, 1, -1, -1, -1, 0, 1 },
        { "faccessat2",   0, 1, -1, -1, -1, 0, 1 },
        { "readlink",    -1, 0, -1, -1, -1, 0, 1 },
        { "readlinkat",   0, 1, -1, -1, -1, 0, 1 },
        { "chdir",       -1, 0, -1, -1, -1, 0, 1 },
        { "execve",      -1, 0, -1, -1, -1, 0, 1 },
        { "execveat",     0, 1, -1, -1, -1, 0, 1 },
};

#define TABLE_SIZE (sizeof(table) / sizeof(table[0]))

static long numbers[TABLE_SIZE];
static int resolved;

static void resolve(void)
{
        for (size_t i = 0; i < TABLE_SIZE; i++)
                numbers[i] = seccomp_syscall_resolve_name(table[i].name);
        resolved = 1;
}

const struct sup_file_syscall *sup_file_syscall_lookup(long nr)
{
        if (!resolved)
                resolve();
        for (size_t i = 0; i < TABLE_SIZE; i++)
                if (numbers[i] == nr && nr >= 0)
                        return &table[i];
        return NULL;
}

scmp_filter_ctx sup_file_syscall_filter(int all)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

        if (!ctx)
                return errno = ENOMEM, NULL;
        if (!resolved)
                resolve();
        for (size_t i = 0; i < TABLE_SIZE; i++) {
                int r;

                if (numbers[i] < 0 || (table[i].lookup && !all))
                        continue;
                r = seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), (int)numbers[i], 0);
                if (r < 0) {
                        seccomp_release(ctx);
                        return errno = -r, NULL;
                }
        }
        return ctx;
}
