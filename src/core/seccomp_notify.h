/* Handing a static program's file calls to the supervisor (preload-safe): a seccomp filter
 * whose listener fd is sent to the supervisor's socket just before exec.
 *
 * Written with raw BPF rather than libseccomp because the preload, which installs it when a
 * dynamic program execs a static one, links nothing but libc. */
#ifndef RW_SECCOMP_NOTIFY_H
#define RW_SECCOMP_NOTIFY_H

#include <errno.h>

/* Name of the environment variable holding the supervisor's socket (an abstract unix socket
 * name, without the leading NUL). */
#define RW_NOTIFY_ENV "RWSHIM_NOTIFY"
/* The supervisor's pid (decimal), the only process allowed to hold that name. */
#define RW_NOTIFY_PID_ENV "RWSHIM_NOTIFY_PID"

/* The fd number the supervisor installs in a thread whose call it rewrites (a chdir or exec
 * into the upper, supervisor/notify_reissue.h). execveat on this dirfd is not notified, so the
 * rewritten exec runs in the kernel while the supervisor holds the thread at a ptrace stop. The number is reserved for static programs under rwshim: one the
 * program opened itself there would be replaced. */
#define RW_NOTIFY_SLOT 1019

/* In the process about to exec a static program: sets no_new_privs, loads the filter that
 * turns every path-taking file call (and getdents64) into a notification, and sends its
 * listener to the supervisor's socket. Returns 0 or -errno (the program then runs without
 * redirection). 0 too when a listener is already in place (EBUSY): ours, inherited.
 * supervisor_pid is $RW_NOTIFY_PID_ENV: before anything is sent, the socket's owner must be
 * that process, running as our uid; anyone else gets nothing, and RW_NOTIFY_NOT_OURS is
 * returned (the program runs unserved). */
int rw_notify_enter(const char *socket_name, const char *supervisor_pid);

/* rw_notify_enter(): the name is held by a process other than our supervisor. */
#define RW_NOTIFY_NOT_OURS (-EPERM)

#endif
