/* The run backend's seccomp filter and the hand-over of its listener fd; see notify_filter.h. */
#include "supervisor/notify_filter.h"

#include <errno.h>
#include <seccomp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Every call that takes a path the merged view may change, plus getdents64 (merged listings).
 * Names unknown on this architecture (open, stat... on aarch64) are skipped. execve is not
 * here: a program in the upper is not run from there (docs/design.md). */
static const char *const notified[] = {
        "open", "openat", "openat2", "creat",
        "stat", "lstat", "newfstatat", "statx",
        "access", "faccessat", "faccessat2", "readlink", "readlinkat",
        "mkdir", "mkdirat", "unlink", "unlinkat", "rmdir",
        "rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat",
        "chmod", "fchmodat", "chown", "lchown", "fchownat", "truncate",
        "utime", "utimes", "futimesat", "utimensat",
        "getdents64",
};

int sup_notify_install(int sock)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        int r = 0, fd;

        if (!ctx)
                return -ENOMEM;
        for (size_t i = 0; i < sizeof(notified) / sizeof(notified[0]) && r == 0; i++) {
                int nr = seccomp_syscall_resolve_name(notified[i]);
                if (nr != __NR_SCMP_ERROR && nr >= 0)
                        r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
        }
        if (r == 0)
                r = seccomp_load(ctx);
        fd = r == 0 ? seccomp_notify_fd(ctx) : r;
        seccomp_release(ctx);
        if (fd < 0)
                return fd;

        char data = 'L', control[CMSG_SPACE(sizeof(int))];
        struct iovec iov = { .iov_base = &data, .iov_len = 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                              .msg_controllen = sizeof(control) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

        memset(control, 0, sizeof(control));
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        r = sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
        close(fd);   /* the supervisor holds the listener now */
        return r;
}

int sup_notify_receive(int sock)
{
        char data, control[CMSG_SPACE(sizeof(int))];
        struct iovec iov = { .iov_base = &data, .iov_len = 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                              .msg_controllen = sizeof(control) };
        ssize_t n;
        int fd;

        do
                n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        if (n == 0 || !c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
                return -ENODATA;
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        return fd;
}
