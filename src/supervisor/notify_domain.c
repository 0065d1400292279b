/* Writes run inside check's confinement; see notify_domain.h. */
#include "supervisor/notify_domain.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static sup_domain_enter_fn domain_enter;
static void *domain_ctx;

void sup_domain_set(sup_domain_enter_fn enter, void *ctx)
{
        domain_enter = enter;
        domain_ctx = ctx;
}

int sup_domain_active(void)
{
        return domain_enter != NULL;
}

/* The result, and an fd alongside when there is one. */
static void send_result(int sock, long r, int fd)
{
        union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
        struct iovec iov = { .iov_base = &r, .iov_len = sizeof(r) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (fd >= 0) {
                memset(control.buf, 0, sizeof(control.buf));
                msg.msg_control = control.buf;
                msg.msg_controllen = sizeof(control.buf);
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
                _exit(1);
}

static long recv_result(int sock, int *fd)
{
        union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
        long r = -EPERM;
        struct iovec iov = { .iov_base = &r, .iov_len = sizeof(r) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                              .msg_controllen = sizeof(control.buf) };

        *fd = -1;
        if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != (ssize_t)sizeof(r))
                return -EPERM;   /* the child could not confine itself: nothing ran */
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
                memcpy(fd, CMSG_DATA(c), sizeof(int));
        return r;
}

long sup_domain_run(long (*fn)(void *arg), void *arg, int returns_fd)
{
        int sp[2], fd;
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                close(sp[0]);
                close(sp[1]);
                return -EPERM;
        }
        if (pid == 0) {
                struct rw_err e;
                close(sp[0]);
                if (domain_enter(domain_ctx, &e) < 0)
                        _exit(1);
                long r = fn(arg);
                send_result(sp[1], returns_fd && r >= 0 ? 0 : r, returns_fd && r >= 0 ? (int)r : -1);
                _exit(0);
        }
        close(sp[1]);
        long r = recv_result(sp[0], &fd);
        close(sp[0]);
        while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
                ;
        if (returns_fd && r == 0)
                return fd >= 0 ? fd : -EPERM;
        return r;
}
