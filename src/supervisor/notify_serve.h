/* The run backend for static binaries: the supervisor answers the notified file calls of a
 * program the preload cannot enter (seccomp user notification, SECCOMP_IOCTL_NOTIF_ADDFD). */
#ifndef SUPERVISOR_NOTIFY_SERVE_H
#define SUPERVISOR_NOTIFY_SERVE_H

#include <linux/seccomp.h>

#include "core/engine.h"
#include "core/err.h"
#include "supervisor/launch.h"

struct sup_notifier {
        int fd;                              /* the listener, or -1 once every caller is gone */
        struct rw_engine engine;             /* the same engine the preload runs, here in run mode */
        struct seccomp_notif *req;
        struct seccomp_notif_resp *resp;
        size_t req_size, resp_size;
};

/* Attaches to l's upper and readies buffers for listener fd (taken over, closed by
 * sup_notifier_close). Returns 0 or -errno with e set. */
int sup_notifier_open(struct sup_notifier *nt, int fd, const struct sup_launch *l, struct rw_err *e);

/* Receives and answers one notification (call when fd is readable). Returns 0, or -1 when
 * the listener is done (every filtered process exited): the caller stops polling it. */
int sup_notifier_serve(struct sup_notifier *nt);

void sup_notifier_close(struct sup_notifier *nt);

#endif
