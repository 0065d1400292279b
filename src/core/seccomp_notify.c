/* The run backend's seccomp filter and its hand-over (preload-safe); see seccomp_notify.h. */
#include "core/seccomp_notify.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "core/sys.h"

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

/* Every call that takes a path the merged view may change, plus getdents64 (merged listings),
 * getcwd (a cwd in the upper answers its virtual path), chdir and exec (into the upper),
 * bind, connect, getsockname and getpeername (AF_UNIX path sockets). */
static const unsigned notified[] = {
#ifdef SYS_open
        SYS_open, SYS_creat, SYS_stat, SYS_lstat, SYS_access, SYS_readlink, SYS_mkdir, SYS_unlink,
        SYS_rmdir, SYS_rename, SYS_link, SYS_symlink, SYS_chmod, SYS_chown, SYS_lchown,
        SYS_utime, SYS_utimes, SYS_futimesat, SYS_mknod,
#endif
        SYS_openat, SYS_openat2, SYS_newfstatat, SYS_statx, SYS_faccessat, SYS_faccessat2,
        SYS_readlinkat, SYS_mkdirat, SYS_unlinkat, SYS_renameat, SYS_renameat2, SYS_linkat,
        SYS_symlinkat, SYS_fchmodat, SYS_fchownat, SYS_truncate, SYS_utimensat, SYS_getdents64,
        SYS_mknodat, SYS_chdir, SYS_getcwd, SYS_execve, SYS_execveat, SYS_bind, SYS_connect,
        SYS_getsockname, SYS_getpeername,
};
#define N_NOTIFIED (sizeof(notified) / sizeof(notified[0]))

/* arch check, then one comparison per call; other architectures' and ABIs' calls (x32) pass. */
static int load_filter(void)
{
#ifndef NATIVE_ARCH
        return -ENOSYS;   /* an architecture we have no filter for: static programs run as they are */
#else
        struct sock_filter prog[9 + N_NOTIFIED + 2];
        unsigned n = 0;

        prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
        prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0);
        prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        /* execveat on RW_NOTIFY_SLOT: an exec the supervisor rewrote, let through. The low word
         * of args[0] is the int dirfd. */
        prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
        prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RW_NOTIFY_SLOT, 0, 3);
        prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
        prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_execveat, 0, 1);
        prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
        for (unsigned i = 0; i < N_NOTIFIED; i++) {
                /* Match: jump over the remaining comparisons and the ALLOW to USER_NOTIF. */
                unsigned char to_notify = (unsigned char)(N_NOTIFIED - 1 - i + 1);
                prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, notified[i], to_notify, 0);
        }
        prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
        struct sock_fprog fprog = { .len = (unsigned short)n, .filter = prog };

        if (RW_SYSCALL(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        return (int)rw_sysret(RW_SYSCALL(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                                         SECCOMP_FILTER_FLAG_NEW_LISTENER, &fprog));
#endif
}

/* The trust boundary of the hand-over: whoever holds the listener answers every file call of
 * this process and can put fds into it. Abstract names are visible to every user and are
 * freed when the supervisor exits, so another user may bind the same name while a process of
 * the run lives on: the socket must be the supervisor's own (SO_PEERCRED is the listener's
 * creator, recorded by the kernel at listen(), not something the peer can claim). */
static int peer_is_supervisor(int sock, const char *supervisor_pid)
{
        struct ucred cred;
        socklen_t len = sizeof(cred);
        long pid = 0;

        for (const char *p = supervisor_pid ? supervisor_pid : ""; *p; p++) {
                if (*p < '0' || *p > '9' || pid > 4194304)   /* beyond PID_MAX_LIMIT */
                        return 0;
                pid = pid * 10 + (*p - '0');
        }
        if (RW_SYSCALL(SYS_getsockopt, sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return 0;
        return pid > 0 && cred.pid == (pid_t)pid && cred.uid == (uid_t)RW_SYSCALL(SYS_geteuid);
}

static int connect_supervisor(const char *socket_name, const char *supervisor_pid)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        size_t len = strlen(socket_name);
        int sock, r;

        if (len + 1 > sizeof(addr.sun_path))
                return -ENAMETOOLONG;
        memcpy(addr.sun_path + 1, socket_name, len);   /* abstract: leading NUL */
        sock = (int)rw_sysret(RW_SYSCALL(SYS_socket, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
        if (sock < 0)
                return sock;
        r = (int)rw_sysret(RW_SYSCALL(SYS_connect, sock, &addr, offsetof(struct sockaddr_un, sun_path) + 1 + len));
        if (r == 0 && !peer_is_supervisor(sock, supervisor_pid))
                r = RW_NOTIFY_NOT_OURS;
        if (r < 0) {
                rw_close(sock);
                return r;
        }
        return sock;
}

static int send_fd(int sock, int fd)
{
        char data = 'L';
        union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
        struct iovec iov = { .iov_base = &data, .iov_len = 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                              .msg_controllen = sizeof(control.buf) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

        memset(control.buf, 0, sizeof(control.buf));
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        long r = rw_sysret(RW_SYSCALL(SYS_sendmsg, sock, &msg, MSG_NOSIGNAL));
        return r < 0 ? (int)r : 0;
}

int rw_notify_enter(const char *socket_name, const char *supervisor_pid)
{
        /* Connect first: once loaded, a filter whose listener nobody holds makes every
         * notified call fail with ENOSYS, and a filter cannot be removed. */
        int sock = connect_supervisor(socket_name, supervisor_pid), fd, r;

        if (sock < 0)
                return sock;
        fd = load_filter();
        if (fd < 0) {
                rw_close(sock);
                /* EBUSY: a filter with a listener is already in place (a dynamic program started
                 * by a static one inherits ours), so this process is served already. */
                return fd == -EBUSY ? 0 : fd;
        }
        r = send_fd(sock, fd);
        rw_close(fd);   /* the supervisor holds the listener now */
        rw_close(sock);
        return r;
}
