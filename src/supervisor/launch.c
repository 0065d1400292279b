/* Starting CMD with the preload, forwarding signals, reaping zombies (PID-1 duties). */
#include "supervisor/launch.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor/exec_probe.h"
#include "supervisor/notify_filter.h"
#include "supervisor/notify_serve.h"
#include "supervisor/static_backend.h"

/* Signals that are someone's request to CMD: forwarded. SIGCHLD drives reaping. */
static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH,
                                 SIGCONT, SIGALRM, SIGPIPE };

static void signal_set(sigset_t *set)
{
        sigemptyset(set);
        for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
                sigaddset(set, forwarded[i]);
        sigaddset(set, SIGCHLD);
}

static int set_or_unset(const char *name, const char *value)
{
        return value && *value ? setenv(name, value, 1) : unsetenv(name);
}

/* The child's environment: the preload after any sanitizer runtime already in LD_PRELOAD
 * (ASan must come first), and the engine's configuration (docs/design.md). */
static int child_environment(const struct sup_launch *l, const char *lib)
{
        const char *old = getenv("LD_PRELOAD");
        char preload[2 * PATH_MAX];

        if (old && *old)
                snprintf(preload, sizeof(preload), "%s:%s", old, lib);
        else
                snprintf(preload, sizeof(preload), "%s", lib);
        if (setenv("LD_PRELOAD", preload, 1) < 0 || setenv("RWSHIM_MODE", l->mode, 1) < 0 ||
            setenv("RWSHIM_LIB", lib, 1) < 0)
                return -errno;
        if (set_or_unset("RWSHIM_UPPER", l->upper) < 0 || set_or_unset("RWSHIM_EVENTS", l->events_path) < 0 ||
            set_or_unset("RWSHIM_ALL", l->record_all ? "1" : NULL) < 0 ||
            set_or_unset("RWSHIM_ONLY", l->only) < 0 || set_or_unset("RWSHIM_EXCLUDE", l->exclude) < 0)
                return -errno;
        return 0;
}

/* A static CMD under run: its file calls go to the supervisor through a seccomp listener sent
 * over notify_sock. Without one (seccomp refused here), it runs as it is, and says so. */
static void enter_notify_backend(const char *cmd_path, int notify_sock)
{
        int r = sup_notify_install(notify_sock);

        if (r < 0)
                fprintf(stderr, "rwshim: %s is statically linked and seccomp user notification is unavailable "
                                "here (%s): its writes are not redirected\n", cmd_path, strerror(-r));
        close(notify_sock);
}

static _Noreturn void run_child(const struct sup_launch *l, const char *cmd_path, const char *lib,
                                const sigset_t *blocked, int notify_sock)
{
        struct rw_err e = { 0 };

        sigprocmask(SIG_UNBLOCK, blocked, NULL);
        if (child_environment(l, lib) < 0) {
                rw_err_set(&e, errno, "set up environment", cmd_path);
                rw_err_print(&e);
                _exit(125);
        }
        if (l->pre_exec && l->pre_exec(l->pre_exec_ctx, &e) < 0) {
                rw_err_print(&e);
                _exit(125);
        }
        if (notify_sock >= 0)
                enter_notify_backend(cmd_path, notify_sock);
        execv(cmd_path, l->argv);
        int err = errno;
        rw_err_set(&e, err, "cannot execute", cmd_path);
        rw_err_print(&e);
        _exit(err == ENOENT ? 127 : 126);
}

static int exit_status(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 125;
}

/* One signal for the supervisor: forwards requests, reaps every zombie (orphans come to us as
 * subreaper or PID 1). Returns the child's exit status once it has exited, else -1. */
static int on_signal(pid_t child, int sig, int code)
{
        if (sig != SIGCHLD) {
                /* Terminal signals already reached CMD's process group: forward only those
                 * sent by a process (kill, docker stop). */
                if (code == SI_USER || code == SI_QUEUE || getpid() == 1)
                        kill(child, sig);
                return -1;
        }
        for (;;) {
                int status;
                pid_t p = waitpid(-1, &status, WNOHANG);

                if (p <= 0)
                        return -1;
                if (p == child)
                        return exit_status(status);
        }
}

/* Waits for child, handling signals and, for a static CMD, answering its notified file calls
 * (nt, or NULL). Returns the child's exit status. */
static int supervise(pid_t child, const sigset_t *set, struct sup_notifier *nt)
{
        struct pollfd p[2] = { { .fd = signalfd(-1, set, SFD_CLOEXEC), .events = POLLIN },
                               { .fd = nt ? nt->fd : -1, .events = POLLIN } };

        for (;;) {
                struct signalfd_siginfo si;
                int status;

                if (p[0].fd < 0) {
                        /* No signalfd (fd limit): poll for the child instead of waiting. */
                        if (poll(p + 1, 1, 100) >= 0 && (status = on_signal(child, SIGCHLD, 0)) >= 0)
                                return status;
                        if (!(p[1].revents & POLLIN))
                                continue;
                } else if (poll(p, 2, -1) < 0) {
                        continue;   /* EINTR */
                }
                if (p[1].revents & POLLIN) {
                        if (sup_notifier_serve(nt) < 0)
                                p[1].fd = -1;
                } else if (p[1].revents & (POLLHUP | POLLERR | POLLNVAL)) {
                        p[1].fd = -1;   /* every filtered process is gone */
                }
                if (!(p[0].revents & POLLIN) || read(p[0].fd, &si, sizeof(si)) != sizeof(si))
                        continue;
                if ((status = on_signal(child, (int)si.ssi_signo, si.ssi_code)) >= 0) {
                        close(p[0].fd);
                        return status;
                }
        }
}

/* The static CMD's side: takes its seccomp listener (none if the kernel refused: CMD then
 * said so and runs untouched) and answers its calls while supervising. */
static int supervise_static(pid_t child, const sigset_t *set, int sock[2], const struct sup_launch *l,
                            struct rw_err *e)
{
        struct sup_notifier nt;
        int fd, status;

        close(sock[1]);
        fd = sup_notify_receive(sock[0]);
        close(sock[0]);
        if (fd < 0)
                return supervise(child, set, NULL);
        if ((status = sup_notifier_open(&nt, fd, l, e)) < 0) {
                /* The child waits on its first call: kill it rather than leave it hanging. */
                kill(child, SIGKILL);
                sup_notifier_close(&nt);
                supervise(child, set, NULL);
                return status;
        }
        status = supervise(child, set, &nt);
        sup_notifier_close(&nt);
        return status;
}

static int report_not_runnable(const char *cmd, int r)
{
        if (r == -ENOENT) {
                fprintf(stderr, "rwshim: command not found: %s\n", cmd);
                return 127;
        }
        fprintf(stderr, "rwshim: command not executable: %s: %s\n", cmd, strerror(-r));
        return 126;
}

int sup_launch_and_wait(const struct sup_launch *l, int *ret_static, struct rw_err *e)
{
        char cmd_path[PATH_MAX], lib[PATH_MAX];
        sigset_t set;
        pid_t child;
        int r, is_static, sock[2] = { -1, -1 };

        if (ret_static)
                *ret_static = 0;
        r = sup_find_command(l->argv[0], cmd_path, sizeof(cmd_path));
        if (r < 0)
                return report_not_runnable(l->argv[0], r);
        r = sup_find_preload_lib(lib, sizeof(lib), e);
        if (r < 0)
                return r;
        is_static = sup_is_static_elf(cmd_path);
        if (is_static && strcmp(l->mode, "run") != 0) {
                /* trace/check: the ptrace backend records what the preload cannot see. */
                r = child_environment(l, lib);
                return r < 0 ? rw_err_set(e, -r, "set up environment", cmd_path) : sup_static_trace_and_wait(l, e);
        }
        if (is_static && !l->upper) {
                fprintf(stderr, "rwshim: %s is statically linked: the preload cannot enter it, so its writes "
                                "are not redirected\n", cmd_path);
                is_static = 0;
        } else if (!is_static && sup_is_setid(cmd_path)) {
                fprintf(stderr, "rwshim: %s is set-user-ID/set-group-ID: the loader ignores the preload, so it "
                                "runs untouched\n", cmd_path);
        }
        if (ret_static)
                *ret_static = is_static;
        signal_set(&set);
        sigprocmask(SIG_BLOCK, &set, NULL);
        if (getpid() != 1)
                prctl(PR_SET_CHILD_SUBREAPER, 1);
        if (is_static && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock) < 0)
                return rw_err_set(e, errno, "socketpair", cmd_path);
        fflush(NULL);
        child = fork();
        if (child < 0)
                return rw_err_set(e, errno, "fork", cmd_path);
        if (child == 0)
                run_child(l, cmd_path, lib, &set, is_static ? sock[1] : -1);
        if (!is_static)
                return supervise(child, &set, NULL);
        return supervise_static(child, &set, sock, l, e);
}
