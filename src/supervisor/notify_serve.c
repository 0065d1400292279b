/* Receiving, deciding and answering notifications; see notify_serve.h. */
#include "supervisor/notify_serve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS   /* Linux 6.6 uapi; Debian 12's headers are 6.1 */
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

#include "core/index.h"
#include "core/upper_attach.h"
#include "supervisor/notify_callers.h"
#include "supervisor/notify_domain.h"
#include "supervisor/notify_fifo.h"
#include "supervisor/notify_ops.h"
#include "supervisor/ptrace_proc.h"

static int copy_list(char *dst, size_t size, const char *src)
{
        if (src && strlen(src) >= size)
                return -ENAMETOOLONG;
        strcpy(dst, src ? src : "");
        return 0;
}

/* A listening abstract socket with an unguessable name; only our own uid may hand us a
 * listener (checked at accept). */
static int open_socket(struct sup_notifier *nt)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        unsigned long long rnd = 0;

        if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
                rnd = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
        snprintf(nt->name, sizeof(nt->name), "rwshim-%d-%016llx", (int)getpid(), rnd);
        nt->sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (nt->sock < 0)
                return -errno;
        size_t len = strlen(nt->name);
        memcpy(addr.sun_path + 1, nt->name, len);
        if (bind(nt->sock, (struct sockaddr *)&addr, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) < 0 ||
            listen(nt->sock, 64) < 0)
                return -errno;
        return 0;
}

int sup_notifier_open(struct sup_notifier *nt, const struct sup_launch *l, struct rw_err *e)
{
        struct seccomp_notif_sizes sizes;
        int r;

        memset(nt, 0, sizeof(*nt));
        nt->sock = -1;
        nt->events_fd = -1;
        /* check records like trace, but performs writes inside the program's confinement. */
        nt->engine.mode = strcmp(l->mode, "run") == 0 ? RW_MODE_RUN : RW_MODE_TRACE;
        sup_domain_set(strcmp(l->mode, "check") == 0 ? l->pre_exec : NULL, l->pre_exec_ctx);
        sup_notify_record_all(nt->engine.mode == RW_MODE_TRACE && l->record_all);
        if ((r = copy_list(nt->engine.only, sizeof(nt->engine.only), l->only)) < 0 ||
            (r = copy_list(nt->engine.exclude, sizeof(nt->engine.exclude), l->exclude)) < 0)
                return rw_err_set(e, -r, "--only/--exclude list", "");
        if (l->upper && (r = rw_upper_attach(&nt->engine.upper, l->upper)) < 0)
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
        if ((r = open_socket(nt)) < 0)
                return rw_err_set(e, -r, "listen on unix socket", nt->name);
        if (l->events_path)
                nt->events_fd = open(l->events_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        return 0;
}

void sup_notifier_close(struct sup_notifier *nt)
{
        if (nt->sock >= 0)
                close(nt->sock);
        nt->sock = -1;
        if (nt->events_fd >= 0)
                close(nt->events_fd);
        nt->events_fd = -1;
        for (size_t i = 0; i < nt->n_listeners; i++)
                close(nt->listeners[i]);
        nt->n_listeners = 0;
        sup_callers_clear();
        free(nt->req);
        free(nt->resp);
        nt->req = NULL;
        nt->resp = NULL;
        if (nt->engine.upper.index)
                rw_index_unmap(nt->engine.upper.index);
        nt->engine.upper.index = NULL;
}

/* One connection: a process of ours sends one listener fd. */
static void accept_listener(struct sup_notifier *nt)
{
        char data, control[CMSG_SPACE(sizeof(int))];
        struct iovec iov = { .iov_base = &data, .iov_len = 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                              .msg_controllen = sizeof(control) };
        struct ucred cred;
        socklen_t cred_len = sizeof(cred);
        int conn = accept4(nt->sock, NULL, NULL, SOCK_CLOEXEC), fd;

        if (conn < 0)
                return;
        if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) < 0 || cred.uid != getuid() ||
            recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) <= 0) {
                close(conn);
                return;
        }
        close(conn);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
                return;
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        /* Linux 6.6+: the caller and we hand the CPU to each other instead of waking across
         * CPUs, which is most of a notification's cost on a VM. Older kernels: EINVAL, fine. */
        ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
        if (nt->n_listeners == SUP_MAX_LISTENERS) {
                /* Its calls would fail with ENOSYS from now on; better than hanging forever. */
                fprintf(stderr, "rwshim: more than %d static programs at once: one runs without its "
                                "file calls served\n", SUP_MAX_LISTENERS);
                close(fd);
                return;
        }
        nt->listeners[nt->n_listeners++] = fd;
}

size_t sup_notifier_pollfds(const struct sup_notifier *nt, struct pollfd *p, size_t max)
{
        size_t n = 0;

        if (nt->sock >= 0 && n < max)
                p[n++] = (struct pollfd){ .fd = nt->sock, .events = POLLIN };
        for (size_t i = 0; i < nt->n_listeners && n < max; i++)
                p[n++] = (struct pollfd){ .fd = nt->listeners[i], .events = POLLIN };
        /* Last, so that it is the one left out when the array is full: a dead thread's entry
         * then waits for the next round, it is never confused with a live one (pids do not wrap
         * that fast). */
        if (sup_callers_fd() >= 0 && n < max)
                p[n++] = (struct pollfd){ .fd = sup_callers_fd(), .events = POLLIN };
        return n;
}

static int serve(struct sup_notifier *nt, int fd);

size_t sup_notifier_live(const struct sup_notifier *nt)
{
        size_t live = 0;

        for (size_t i = 0; i < nt->n_listeners; i++) {
                struct pollfd p = { .fd = nt->listeners[i], .events = POLLIN };
                if (poll(&p, 1, 0) >= 0 && !(p.revents & (POLLHUP | POLLERR)))
                        live++;
        }
        return live;
}

void sup_notifier_ready(struct sup_notifier *nt, const struct pollfd *p, size_t n)
{
        /* Threads gone first: a notification served below must never find the entry of a
         * thread that has exited under its tid. */
        for (size_t i = 0; i < n; i++)
                if (p[i].revents && p[i].fd == sup_callers_fd())
                        sup_callers_reap();
        for (size_t i = 0; i < n; i++) {
                if (!p[i].revents || p[i].fd == sup_callers_fd())
                        continue;
                if (p[i].fd == nt->sock) {
                        accept_listener(nt);
                        continue;
                }
                if ((p[i].revents & POLLIN) && serve(nt, p[i].fd) == 0)
                        continue;
                /* Every process under this filter is gone. */
                for (size_t j = 0; j < nt->n_listeners; j++)
                        if (nt->listeners[j] == p[i].fd) {
                                close(p[i].fd);
                                nt->listeners[j] = nt->listeners[--nt->n_listeners];
                                break;
                        }
        }
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

static void respond(struct sup_notifier *nt, int fd, struct sup_answer *a)
{
        struct seccomp_notif_resp *resp = nt->resp;
        enum sup_answer_kind kind = a->kind;

        if (a->kind == SUP_GIVE_FD) {
                struct seccomp_notif_addfd add = { .id = nt->req->id, .flags = SECCOMP_ADDFD_FLAG_SEND,
                                                   .srcfd = (__u32)a->fd, .newfd_flags = a->fd_flags };
                /* On success this answers the call with the new fd number. */
                ioctl(fd, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
                close(a->fd);
                return;
        }
        if (kind == SUP_OPEN_FIFO) {
                int r = sup_fifo_open_async(fd, nt->req->id, a->real, a->open_flags, (mode_t)a->value, a->fd_flags);
                if (r == 0)
                        return;   /* its thread answers */
                kind = SUP_RETURN;
                a->value = r;
        }
        if (kind == SUP_REISSUE) {
                long r = sup_reissue(fd, nt->req->id, (pid_t)nt->req->pid, &a->reissue);
                close(a->reissue.fd);
                if (r != SUP_REISSUE_UNAVAILABLE) {
                        a->value = r == SUP_REISSUE_RETRY ? 0 : r;
                        return;   /* the thread has its answer, or will call again */
                }
                kind = a->fallback;
        }
        memset(resp, 0, nt->resp_size);
        resp->id = nt->req->id;
        if (kind == SUP_CONTINUE) {
                resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        } else if (a->value < 0) {
                resp->error = (__s32)a->value;
        } else {
                resp->val = a->value;
        }
        /* ENOENT here means the caller died or was interrupted meanwhile: nothing to answer. */
        ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
}

static uint64_t hash(const char *s)
{
        uint64_t h = 0xcbf29ce484222325ull;

        while (*s)
                h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
        return h;
}

static void write_record(struct sup_notifier *nt, const char *line, int n)
{
        if (n > 0 && write(nt->events_fd, line, (size_t)n) < 0)
                return;   /* a lost record must not stop the program */
}

/* Whether exe is the running rwshim's executable. */
static int is_self(const char *exe)
{
        static char self[PATH_MAX];
        static int have;

        if (!have) {
                ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

                self[n > 0 ? n : 0] = '\0';
                have = 1;
        }
        return self[0] && strcmp(exe, self) == 0;
}

/* trace: who is calling. Fills t (tgid, exe) and announces a process image the first time it
 * is seen. Returns 1 when the preload is inside it (its calls are its own to record). */
static int identify(struct sup_notifier *nt, pid_t tid, struct sup_tracee *t)
{
        char line[8192];

        memset(t, 0, sizeof(*t));
        t->pid = tid;
        t->tgid = sup_proc_tgid(tid);
        sup_proc_image(t);
        uint64_t h = hash(t->exe);
        /* rwshim's own image is the `__exec` trampoline: static, so no preload marks it inert;
         * it becomes the program at once and is no process of the run's. */
        if (is_self(t->exe))
                return 1;
        for (size_t i = 0; i < nt->n_seen && i < SUP_SEEN_IMAGES; i++)
                if (nt->seen[i].tgid == t->tgid && nt->seen[i].exe_hash == h)
                        return nt->seen[i].preloaded;
        nt->seen[nt->n_seen++ % SUP_SEEN_IMAGES] = (struct sup_seen_image){ t->tgid, h, t->preloaded };
        if (!t->preloaded && nt->events_fd >= 0)
                write_record(nt, line, sup_proc_format(t, line, sizeof(line)));
        return t->preloaded;
}

/* One record, as the preload writes them (one write on an O_APPEND fd). */
static void emit(struct sup_notifier *nt, pid_t pid, const char *caller, const struct sup_answer *a)
{
        char line[3 * PATH_MAX];
        struct rw_event ev = { .pid = pid, .op = a->op, .path = a->path, .path2 = a->path2[0] ? a->path2 : NULL,
                               .open_flags = a->open_flags, .action = a->action, .caller = caller,
                               .errnum = a->kind == SUP_RETURN && a->value < 0 ? (int)-a->value : 0 };
        write_record(nt, line, rw_event_format(line, sizeof(line), &ev));
}

static int is_open(int nr)
{
#ifdef SYS_open
        if (nr == SYS_open)
                return 1;
#endif
        return nr == SYS_openat || nr == SYS_openat2;
}

static int is_exec(int nr)
{
        return nr == SYS_execve || nr == SYS_execveat;
}

/* Receives and answers one notification. 0, or -1 when the listener is done. */
static int serve(struct sup_notifier *nt, int fd)
{
        struct sup_answer a;   /* filled by sup_notify_decide; not zeroed: it holds two paths */
        struct sup_caller c;
        struct sup_tracee t;

        memset(nt->req, 0, nt->req_size);
        if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, nt->req) < 0)
                return errno == EINTR || errno == ENOENT ? 0 : -1;
        struct pending p = { .fd = fd, .id = nt->req->id };
        pid_t tid = (pid_t)nt->req->pid;
        int tracing = nt->engine.mode == RW_MODE_TRACE;
        /* A glibc/musl program with its preload (a dynamic child of a static or Go one, under
         * the inherited filter) is the preload's to serve, under run as under trace. */
        struct sup_probe *probe = sup_callers_get(tid);
        int nr = nt->req->data.nr;
        if (tracing ? identify(nt, tid, &t) : probe->preloaded) {
                a.kind = SUP_CONTINUE;
                a.op = NULL;
        } else if (probe->dynamic && is_open(nr) &&
                   sup_proc_wrong_preload(tid, nr, (const uint64_t *)nt->req->data.args)) {
                a = (struct sup_answer){ .kind = SUP_RETURN, .value = -ENOENT };   /* the loader skips it */
        } else {
                sup_caller_init(&c, tid, probe);
                sup_notify_decide(&nt->engine, nt->req, &c, still_pending, &p, &a);
                sup_caller_close(&c);
        }
        /* After an exec the thread group runs another image (and an exec from a non-leader
         * thread moves the tid): what was probed of it no longer holds. */
        if (is_exec(nr))
                sup_callers_exec(tid);
        respond(nt, fd, &a);
        if (a.op && nt->events_fd >= 0)
                emit(nt, tracing ? t.tgid : tid, tracing ? t.exe : NULL, &a);
        return 0;
}
