/* The run backend for static binaries: the supervisor answers the notified file calls of
 * programs the preload cannot enter (seccomp user notification, SECCOMP_IOCTL_NOTIF_ADDFD).
 *
 * Whoever is about to exec a static program (the supervisor's own child for a static CMD, the
 * preload for a static descendant) loads the filter and sends its listener fd to an abstract
 * unix socket named in $RWSHIM_NOTIFY; the supervisor polls every listener it was given. */
#ifndef SUPERVISOR_NOTIFY_SERVE_H
#define SUPERVISOR_NOTIFY_SERVE_H

#include <linux/seccomp.h>
#include <poll.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/engine.h"
#include "core/err.h"
#include "supervisor/launch.h"

#define SUP_MAX_LISTENERS 64
#define SUP_SEEN_IMAGES 256

/* trace: a process image already announced by a {"ev":"proc"} record. */
struct sup_seen_image {
        pid_t tgid;
        uint64_t exe_hash;
        int preloaded;          /* dynamic, with the preload: it records its own calls */
};

struct sup_notifier {
        int sock;                            /* listening socket for listener fds */
        char name[64];                       /* its abstract name, for $RWSHIM_NOTIFY */
        int listeners[SUP_MAX_LISTENERS];
        size_t n_listeners;
        int events_fd;                       /* `run -v` / trace records, or -1 */
        struct sup_seen_image seen[SUP_SEEN_IMAGES];   /* trace only; a ring */
        size_t n_seen;
        struct rw_engine engine;             /* the same engine the preload runs, in run mode */
        struct seccomp_notif *req;
        struct seccomp_notif_resp *resp;
        size_t req_size, resp_size;
};

/* Under run: attaches to l's upper; under trace: no upper, writes are run as they are and
 * recorded. Readies the buffers and opens the socket. Returns 0 or -errno with
 * e set (then sock is -1 and nothing else is usable). */
int sup_notifier_open(struct sup_notifier *nt, const struct sup_launch *l, struct rw_err *e);

/* The fds to poll (the socket, then each listener); returns how many were written. */
size_t sup_notifier_pollfds(const struct sup_notifier *nt, struct pollfd *p, size_t max);

/* Handles what poll() reported on the fds sup_notifier_pollfds() gave: accepts new listeners,
 * answers one notification per ready listener, drops listeners whose processes are gone. */
void sup_notifier_ready(struct sup_notifier *nt, const struct pollfd *p, size_t n);

/* How many listeners still have processes behind them (static programs still running). */
size_t sup_notifier_live(const struct sup_notifier *nt);

void sup_notifier_close(struct sup_notifier *nt);

#endif
