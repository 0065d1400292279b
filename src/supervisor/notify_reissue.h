/* Making a notified thread run a different call than the one it made: the rare calls the
 * supervisor cannot perform for the program because they change the calling process itself
 * (chdir into the upper, exec of a program the upper holds).
 *
 * A seccomp notification can answer a call or let it run, never change its arguments, and the
 * supervisor cannot change another process's cwd. So for these calls only, the supervisor
 * installs the object the call needs in the thread (SECCOMP_IOCTL_NOTIF_ADDFD at a free fd
 * number of its own choosing), then takes a ptrace stop of that one thread: PTRACE_SEIZE,
 * PTRACE_INTERRUPT (the interrupted call would restart), rewrites the call's registers
 * (chdir(path) -> fchdir(N), execve(path, ...) -> execveat(N, "", ..., AT_EMPTY_PATH), where ""
 * is the NUL ending the program's own path string: no memory is written), lets the rewritten
 * call run to its exit stop, closes N with one more injected call, puts the thread's registers
 * back with the rewritten call's result and detaches. The kernel keeps the cwd in the upper
 * copy, so children inherit it and every later exec starts there. x86_64 only. */
#ifndef SUPERVISOR_NOTIFY_REISSUE_H
#define SUPERVISOR_NOTIFY_REISSUE_H

#include <linux/types.h>
#include <sys/types.h>

/* The thread could not be stopped (no ptrace here, another tracer): answer the call another
 * way. */
#define SUP_REISSUE_UNAVAILABLE (-100000L)
/* The thread left the call before it was rewritten (a signal): it will make it again, and be
 * notified again; send no answer. */
#define SUP_REISSUE_RETRY (-100001L)

struct sup_reissue {
        long orig_nr;           /* the notified call (checked at the stop) */
        long nr;                /* the call the thread makes instead */
        unsigned long args[6];  /* its arguments; SUP_REISSUE_FD marks where the fd number goes */
        int fd;                 /* ours, installed in the thread for the call; not closed here */
        int keep_fd;            /* exec of a script: the interpreter opens /dev/fd/N, so N survives */
        int exec;               /* a successful call replaced the image: nothing to put back */
        pid_t tgid;             /* exec: the process, whose id the new image has */
};

#define SUP_REISSUE_FD (~0UL - 1)

/* Performs r for the thread tid whose notification id is pending on listener. Returns the
 * rewritten call's result (>= 0 or -errno, already delivered to the thread: send no answer), or
 * SUP_REISSUE_UNAVAILABLE (nothing was changed: answer the notification), or SUP_REISSUE_RETRY. */
long sup_reissue(int listener, __u64 id, pid_t tid, const struct sup_reissue *r);

#endif
