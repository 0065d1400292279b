/* What the supervisor remembers of each thread that sends it notifications, so that a call
 * costs one round trip and not a dozen /proc lookups: whether the preload serves its process,
 * its thread group, a pidfd (which tells when the thread is gone, so a reused tid is never
 * mistaken for it) and an open /proc/<tid>/status (its umask, read with one pread).
 *
 * An entry is dropped when its thread exits (its pidfd polls readable: sup_callers_fd) and,
 * for its whole thread group, when one of its threads calls execve (the image, and with an exec
 * from a non-leader thread the tid, change; sup_callers_exec). */
#ifndef SUPERVISOR_NOTIFY_CALLERS_H
#define SUPERVISOR_NOTIFY_CALLERS_H

#include <sys/types.h>

struct sup_probe {
        pid_t tid;              /* 0: a free slot */
        pid_t tgid;
        int pidfd;              /* the thread's (PIDFD_THREAD), else its process's; or -1 */
        int status_fd;          /* /proc/<tid>/status, opened on first use, or -1 */
        int preloaded;          /* the preload serves it: its calls go back to the kernel */
        int dynamic;            /* a glibc/musl image: it may open the other libc's preload */
        unsigned long last_use;
};

/* The entry for tid, probed on first sight (or when no slot can be had: then an entry that
 * lives until the next call, never NULL). */
struct sup_probe *sup_callers_get(pid_t tid);

/* tid is about to exec: every entry of its thread group is dropped. */
void sup_callers_exec(pid_t tid);

/* The fd that polls readable when a remembered thread has exited (an epoll set of their
 * pidfds), or -1; and what to call then: drops the entries of the threads gone. */
int sup_callers_fd(void);
void sup_callers_reap(void);

/* The caller's umask from its entry's status file; -1 if /proc does not tell. */
long sup_probe_umask(struct sup_probe *p);

/* Drops every entry (the supervisor is done). */
void sup_callers_clear(void);

#endif
