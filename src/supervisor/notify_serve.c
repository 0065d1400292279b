/* Receiving, deciding and answering notifications; see notify_serve.h. */
#include "supervisor/notify_serve.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/index.h"
#include "core/upper_attach.h"
#include "supervisor/notify_ops.h"

static int copy_list(char *dst, size_t size, const char *src)
{
        if (src && strlen(src) >= size)
                return -ENAMETOOLONG;
        strcpy(dst, src ? src : "");
        return 0;
}

int sup_notifier_open(struct sup_notifier *nt, int fd, const struct sup_launch *l, struct rw_err *e)
{
        struct seccomp_notif_sizes sizes;
        int r;

        memset(nt, 0, sizeof(*nt));
        nt->fd = fd;
        nt->engine.mode = RW_MODE_RUN;
        if ((r = copy_list(nt->engine.only, sizeof(nt->engine.only), l->only)) < 0 ||
            (r = copy_list(nt->engine.exclude, sizeof(nt->engine.exclude), l->exclude)) < 0)
                return rw_err_set(e, -r, "--only/--exclude list", "");
        if ((r = rw_upper_attach(&nt->engine.upper, l->upper)) < 0)
                return rw_err_set(e, -r, "attach to upper dir", l->upper);
        if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
                return rw_err_set(e, errno, "seccomp notification sizes", "");
        /* The kernel's structs may be larger than the headers we were built with. */
        nt->req_size = sizes.seccomp_notif > sizeof(*nt->req) ? sizes.seccomp_notif : sizeof(*nt->req);
        nt->resp_size = sizes.seccomp_notif_resp > sizeof(*nt->resp) ? sizes.seccomp_notif_resp : sizeof(*nt->resp);
        nt->req = calloc(1, nt->req_size);
        nt->resp = calloc(1, nt->resp_size);
        if (!nt->req || !nt->resp)
                return rw_err_set(e, ENOMEM, "seccomp notification buffers", "");
        return 0;
}

void sup_notifier_close(struct sup_notifier *nt)
{
        if (nt->fd >= 0)
                close(nt->fd);
        nt->fd = -1;
        free(nt->req);
        free(nt->resp);
        nt->req = NULL;
        nt->resp = NULL;
        if (nt->engine.upper.index)
                munmap(nt->engine.upper.index, rw_index_file_size());
        nt->engine.upper.index = NULL;
}

struct pending {
        int fd;
        __u64 id;
};

/* 0 while the call still waits for us; the process may have died (and its pid been reused)
 * since the notification, which would make what we read from /proc someone else's. */
static int still_pending(void *ctx)
{
        struct pending *p = ctx;

        return ioctl(p->fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &p->id) == 0 ? 0 : -1;
}

static void respond(struct sup_notifier *nt, const struct sup_answer *a)
{
        struct seccomp_notif_resp *resp = nt->resp;

        if (a->kind == SUP_GIVE_FD) {
                struct seccomp_notif_addfd add = { .id = nt->req->id, .flags = SECCOMP_ADDFD_FLAG_SEND,
                                                   .srcfd = (__u32)a->fd, .newfd_flags = a->fd_flags };
                /* On success this answers the call with the new fd number. */
                ioctl(nt->fd, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
                close(a->fd);
                return;
        }
        memset(resp, 0, nt->resp_size);
        resp->id = nt->req->id;
        if (a->kind == SUP_CONTINUE) {
                resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        } else if (a->value < 0) {
                resp->error = (__s32)a->value;
        } else {
                resp->val = a->value;
        }
        /* ENOENT here means the caller died or was interrupted meanwhile: nothing to answer. */
        ioctl(nt->fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
}

int sup_notifier_serve(struct sup_notifier *nt)
{
        struct sup_answer a = { .kind = SUP_CONTINUE, .fd = -1 };
        struct sup_caller c;

        memset(nt->req, 0, nt->req_size);
        if (ioctl(nt->fd, SECCOMP_IOCTL_NOTIF_RECV, nt->req) < 0)
                return errno == EINTR || errno == ENOENT ? 0 : -1;
        struct pending p = { .fd = nt->fd, .id = nt->req->id };
        if (sup_caller_open(&c, (pid_t)nt->req->pid) == 0) {
                sup_notify_decide(&nt->engine, nt->req, &c, still_pending, &p, &a);
                sup_caller_close(&c);
        }
        respond(nt, &a);
        return 0;
}
