/* One traced process of the static backend: what it runs, and the file call it is in. */
#ifndef SUPERVISOR_PTRACE_PROC_H
#define SUPERVISOR_PTRACE_PROC_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "supervisor/ptrace_syscalls.h"

struct sup_tracee {
        pid_t pid, tgid;           /* events carry the tgid, as getpid() in the preload does */
        int started;               /* its first (attach) SIGSTOP was seen */
        int preloaded;             /* dynamic image with the preload: it records itself */
        int in_call;               /* between the seccomp stop and the syscall-exit stop */
        const struct sup_file_syscall *sc;
        int open_flags;            /* -1 when the call has none */
        char exe[PATH_MAX];
        char path[PATH_MAX], path2[PATH_MAX];
};

/* The thread-group id of a thread (from /proc), or tid itself. */
pid_t sup_proc_tgid(pid_t tid);

/* After an exec: reads the new image's path and decides whether the preload is inside it. */
void sup_proc_image(struct sup_tracee *t);

/* Run mode, per notified call: 1 when the preload serves tid's process (a glibc or musl
 * program carrying its preload, e.g. started by a static one and so under its filter), whose
 * calls then go back to the kernel unchanged. Cached per thread and image. */
int sup_proc_preloaded(pid_t tid);

/* 1 when the call (nr, args as in seccomp_data) opens our preload built for the other C
 * library than tid's image (a musl program started by a static one that runs under glibc's
 * preload, or the reverse): it is answered ENOENT, which the loader skips (musl silently, glibc
 * with one line) instead of dying on the foreign library; the supervisor then serves it. */
int sup_proc_wrong_preload(pid_t tid, int nr, const uint64_t args[6]);

/* Formats its {"ev":"proc"} record into buf; returns the length or -errno. */
int sup_proc_format(const struct sup_tracee *t, char *buf, size_t size);

/* At the seccomp stop: reads the call's arguments. Returns 1 if the call is to be followed to
 * its exit, 0 if not (not a file call we know), -errno on failure. */
int sup_call_entry(struct sup_tracee *t);

/* At the syscall-exit stop: formats the {"ev":"fs"} record into buf if the call is to be
 * recorded (a write, a refusal, or anything when all). Returns the length, 0 for none. */
int sup_call_exit(struct sup_tracee *t, int all, char *buf, size_t size);

#endif
