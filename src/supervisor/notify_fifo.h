/* Opening a FIFO that only the upper holds, for a static program, without stalling the
 * supervisor: the open blocks until the other end is opened (that is what the program asked
 * for), and the peer may itself be a program the supervisor serves. A detached thread makes
 * the blocking open and installs the fd in the waiting call (SECCOMP_IOCTL_NOTIF_ADDFD with
 * SEND); meanwhile the supervisor keeps answering everyone else. The fd the program gets is
 * an open file description of the same FIFO, as its own open would have made. */
#ifndef SUPERVISOR_NOTIFY_FIFO_H
#define SUPERVISOR_NOTIFY_FIFO_H

#include <linux/types.h>
#include <sys/types.h>

/* Starts the open of real (the FIFO's real path) with flags (and mode, for O_CREAT) for notification id on listener.
 * 0 when the thread answers the call; -errno when it could not start (answer the call). */
int sup_fifo_open_async(int listener, __u64 id, const char *real, int flags, mode_t mode, unsigned fd_flags);

#endif
