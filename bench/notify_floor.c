/* The floor of the static backend: what one seccomp user-notification round trip costs on this
 * machine when the supervisor does nothing but answer CONTINUE (bench/notify-floor builds and
 * runs it). A child stats a missing absolute path N times natively, then under a filter that
 * notifies newfstatat; the parent receives and continues each call, first from a blocking
 * NOTIF_RECV, then from poll()+RECV as rwshim's supervisor does, with and without
 * SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP. Prints "name<TAB>ns per call" (median of 7 batches).
 * Whatever rwshim adds per notified call beyond this is its own work. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

#define BATCHES 7

static double now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return (x > y) - (x < y);
}

/* Median ns per stat over BATCHES batches of n calls. */
static double stat_loop(long n)
{
        double t[BATCHES];
        struct stat st;

        for (int b = 0; b < BATCHES; b++) {
                double t0 = now_ns();
                for (long i = 0; i < n; i++)
                        (void)stat("/nonexistent-rwshim-floor", &st);
                t[b] = (now_ns() - t0) / (double)n;
        }
        qsort(t, BATCHES, sizeof(t[0]), cmp);
        return t[BATCHES / 2];
}

static int install_filter(void)
{
        struct sock_filter f[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_newfstatat, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -1;
        return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}

static int send_fd(int sock, int fd)
{
        char c = 0, control[CMSG_SPACE(sizeof(int))] = { 0 };
        struct iovec iov = { .iov_base = &c, .iov_len = 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control) };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
        return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
        char c, control[CMSG_SPACE(sizeof(int))];
        struct iovec iov = { .iov_base = &c, .iov_len = 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control) };
        int fd;

        if (recvmsg(sock, &msg, 0) != 1 || !CMSG_FIRSTHDR(&msg))
                return -1;
        memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
        return fd;
}

/* Answers CONTINUE to the child's calls, which are exactly `calls` (a blocking RECV would wait
 * forever once the child is gone). */
static void serve(int listener, int use_poll, long calls)
{
        struct seccomp_notif req;
        struct seccomp_notif_resp resp;

        for (long done = 0; done < calls; done++) {
                if (use_poll) {
                        struct pollfd p = { .fd = listener, .events = POLLIN };
                        if (poll(&p, 1, -1) < 0 || (p.revents & (POLLHUP | POLLERR)))
                                return;
                }
                memset(&req, 0, sizeof(req));
                if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
                        if (errno == EINTR)
                                done--;
                        if (errno == EINTR || errno == ENOENT)
                                continue;
                        return;
                }
                memset(&resp, 0, sizeof(resp));
                resp.id = req.id;
                resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
                (void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
        }
}

/* One child under a fresh filter, served one way; returns its ns per call. */
static double notified(long n, int use_poll, int sync_wake)
{
        int sv[2], res[2];
        double ns = -1;

        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(res) < 0)
                return -1;
        pid_t pid = fork();
        if (pid == 0) {
                int l = install_filter();
                if (l < 0 || send_fd(sv[1], l) < 0)
                        _exit(1);
                close(l);
                ns = stat_loop(n);
                _exit(write(res[1], &ns, sizeof(ns)) == (ssize_t)sizeof(ns) ? 0 : 1);
        }
        close(sv[1]);
        close(res[1]);
        int listener = recv_fd(sv[0]);
        if (listener >= 0) {
                if (sync_wake)
                        (void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
                serve(listener, use_poll, (long)BATCHES * n);
                close(listener);
        }
        if (read(res[0], &ns, sizeof(ns)) != (ssize_t)sizeof(ns))
                ns = -1;
        waitpid(pid, NULL, 0);
        close(sv[0]);
        close(res[0]);
        return ns;
}

int main(int argc, char **argv)
{
        long n = argc > 1 ? atol(argv[1]) : 20000;

        if (n <= 0) {
                fprintf(stderr, "usage: notify_floor [N]\n");
                return 2;
        }
        printf("native_stat\t%.0f\n", stat_loop(n));
        printf("notified_recv_sync\t%.0f\n", notified(n, 0, 1));
        printf("notified_poll_sync\t%.0f\n", notified(n, 1, 1));
        printf("notified_recv\t%.0f\n", notified(n, 0, 0));
        printf("notified_poll\t%.0f\n", notified(n, 1, 0));
        return 0;
}
