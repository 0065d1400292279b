/* The file syscalls the static backend stops on, and how to read their arguments. */
#ifndef SUPERVISOR_PTRACE_SYSCALLS_H
#define SUPERVISOR_PTRACE_SYSCALLS_H

#include <seccomp.h>

struct sup_file_syscall {
        const char *name;      /* syscall name, also the event's "op" */
        signed char dirfd;     /* argument holding the dirfd of path, or -1 (AT_FDCWD) */
        signed char path;      /* argument holding the path */
        signed char dirfd2;    /* same for the second path (rename/link target), or -1 */
        signed char path2;     /* -1: none */
        signed char flags;     /* argument holding open flags, -2: openat2's struct, -1: none */
        unsigned char write;   /* 1: always a write; 0: a write only with write open flags */
        unsigned char lookup;  /* 1: recorded only with --all (reads and lookups) */
};

/* The syscall for a number on this architecture, or NULL. */
const struct sup_file_syscall *sup_file_syscall_lookup(long nr);

/* Builds the seccomp filter: SCMP_ACT_TRACE on the file syscalls (lookups too when all),
 * SCMP_ACT_ALLOW otherwise. Returns the context or NULL (errno set). */
scmp_filter_ctx sup_file_syscall_filter(int all);

#endif
