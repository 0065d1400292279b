/* The seccomp user-notification filter of the run backend for static binaries: which calls it
 * sends to the supervisor, and how its listener fd gets there. */
#ifndef SUPERVISOR_NOTIFY_FILTER_H
#define SUPERVISOR_NOTIFY_FILTER_H

/* In the child, just before exec: loads a filter that turns every path-taking file call (and
 * getdents64) into a notification, and sends the listener fd over the unix socket sock.
 * Sets no_new_privs (needed without CAP_SYS_ADMIN). Returns 0 or -errno. */
int sup_notify_install(int sock);

/* In the supervisor: receives one listener fd sent by sup_notify_install(). Returns the fd,
 * -ENODATA when the peer closed the socket without sending one, or -errno. */
int sup_notify_receive(int sock);

#endif
