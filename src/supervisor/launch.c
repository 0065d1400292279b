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
#include <sys/wait.h>
#include <unistd.h>

#include "core/elf_probe.h"
#include "core/seccomp_notify.h"
#include "supervisor/exec_probe.h"
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

/* LD_PRELOAD for the child: what was there (a sanitizer runtime must stay first) without any
 * of our libraries, then preload (NULL: none of ours). */
static void compose_preload(const char *old, const char *preload, char *out, size_t size)
{
        size_t n = 0;

        out[0] = '\0';
        for (const char *p = old ? old : ""; *p;) {
                size_t len = strcspn(p, ": ");
                char entry[PATH_MAX];
                snprintf(entry, sizeof(entry), "%.*s", (int)len, p);
                const char *base = strrchr(entry, '/') ? strrchr(entry, '/') + 1 : entry;
                if (len && strcmp(base, "librwshim.so") != 0 && strcmp(base, "librwshim-musl.so") != 0 &&
                    n + len + 2 < size)
                        n += (size_t)snprintf(out + n, size - n, "%s%s", n ? ":" : "", entry);
                p += len + (p[len] != '\0');
        }
        if (preload && n + strlen(preload) + 2 < size)
                snprintf(out + n, size - n, "%s%s", n ? ":" : "", preload);
}

/* The child's environment: the preload chosen for CMD's kind (after any sanitizer runtime
 * already in LD_PRELOAD: ASan must come first), and the engine's configuration
 * (docs/design.md). lib is the glibc preload, the install's reference for the others. */
static int child_environment(const struct sup_launch *l, const char *lib, const char *preload)
{
        char value[2 * PATH_MAX], exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

        exe[n > 0 ? n : 0] = '\0';
        compose_preload(getenv("LD_PRELOAD"), preload, value, sizeof(value));
        if (set_or_unset("LD_PRELOAD", value) < 0 || setenv("RWSHIM_MODE", l->mode, 1) < 0 ||
            setenv("RWSHIM_LIB", lib, 1) < 0 || set_or_unset("RWSHIM_EXE", exe) < 0)
                return -errno;
        if (set_or_unset("RWSHIM_UPPER", l->upper) < 0 || set_or_unset("RWSHIM_EVENTS", l->events_path) < 0 ||
            set_or_unset("RWSHIM_SPOOL", l->spool_path) < 0 ||
            set_or_unset("RWSHIM_ALL", l->record_all ? "1" : NULL) < 0 ||
            set_or_unset("RWSHIM_ONLY", l->only) < 0 || set_or_unset("RWSHIM_EXCLUDE", l->exclude) < 0)
                return -errno;
        return 0;
}

/* Why the preload cannot serve a program the supervisor serves. */
static const char *what_kind(const char *cmd_path)
{
        enum rw_exec_kind kind = sup_exec_kind(cmd_path);

        return kind == RW_EXEC_STATIC ? "is statically linked" : "is a Go program (its file calls bypass libc)";
}

/* A static CMD under run: its file calls go to the supervisor through a seccomp listener sent
 * to the notifier's socket. Without one (seccomp refused here), it runs as it is, and says so. */
static void enter_notify_backend(const char *cmd_path, const char *socket_name)
{
        int r = socket_name ? rw_notify_enter(socket_name, getenv(RW_NOTIFY_PID_ENV)) : -ENOSYS;

        if (r < 0)
                fprintf(stderr, "rwshim: %s %s and seccomp user notification is unavailable here (%s): its writes "
                                "are not redirected\n", cmd_path, what_kind(cmd_path), strerror(-r));
}

static _Noreturn void run_child(const struct sup_launch *l, const char *cmd_path, const char *lib,
                                const char *preload, const sigset_t *blocked, int is_static, const char *notify)
{
        struct rw_err e = { 0 };

        sigprocmask(SIG_UNBLOCK, blocked, NULL);
        char supervisor[24];

        snprintf(supervisor, sizeof(supervisor), "%d", (int)getppid());   /* before any exec: the parent is the supervisor */
        if (child_environment(l, lib, preload) < 0 || set_or_unset(RW_NOTIFY_ENV, notify) < 0 ||
            set_or_unset(RW_NOTIFY_PID_ENV, notify ? supervisor : NULL) < 0) {
                rw_err_set(&e, errno, "set up environment", cmd_path);
                rw_err_print(&e);
                _exit(125);
        }
        if (l->pre_exec && l->pre_exec(l->pre_exec_ctx, &e) < 0) {
                rw_err_print(&e);
                _exit(125);
        }
        if (is_static)
                enter_notify_backend(cmd_path, notify);
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

/* Waits for child, handling signals and answering the notified file calls of static
 * programs (nt, or NULL). Returns the child's exit status. */
static int supervise(pid_t child, const sigset_t *set, struct sup_notifier *nt)
{
        struct pollfd p[1 + 1 + SUP_MAX_LISTENERS];
        int sfd = signalfd(-1, set, SFD_CLOEXEC);

        for (;;) {
                struct signalfd_siginfo si;
                size_t n = 1 + (nt ? sup_notifier_pollfds(nt, p + 1, sizeof(p) / sizeof(p[0]) - 1) : 0);
                int status;

                p[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
                /* Without a signalfd (fd limit), poll for the child instead of waiting. */
                if (poll(p, n, sfd < 0 ? 100 : -1) < 0)
                        continue;   /* EINTR */
                if (nt)
                        sup_notifier_ready(nt, p + 1, n - 1);
                if (sfd < 0) {
                        if ((status = on_signal(child, SIGCHLD, 0)) >= 0)
                                return status;
                        continue;
                }
                if (!(p[0].revents & POLLIN) || read(sfd, &si, sizeof(si)) != sizeof(si))
                        continue;
                if ((status = on_signal(child, (int)si.ssi_signo, si.ssi_code)) >= 0) {
                        close(sfd);
                        return status;
                }
        }
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

/* Which preload CMD starts with, for its kind (docs/design.md, "Which backend"): glibc's,
 * musl's, or none (NULL; one line says why). Static and Go programs load none, but their
 * dynamic children inherit it: the one matching this system's /bin/sh. */
static const char *preload_for(enum rw_exec_kind kind, const char *cmd, const char *lib, char *musl, size_t size)
{
        int have_musl = sup_find_musl_lib(lib, musl, size) == 0;

        if (rw_exec_kind_supervised(kind))
                return have_musl && rw_exec_kind("/bin/sh", NULL, 0) == RW_EXEC_MUSL ? musl : lib;
        if (kind == RW_EXEC_MUSL && !have_musl)
                fprintf(stderr, "rwshim: %s is a musl program and no musl preload is installed (%s): it runs "
                                "untouched\n", cmd, musl);
        else if (kind == RW_EXEC_OTHER)
                fprintf(stderr, "rwshim: %s is built for another C library or architecture: it runs untouched\n", cmd);
        if (kind == RW_EXEC_MUSL)
                return have_musl ? musl : NULL;
        return kind == RW_EXEC_OTHER ? NULL : lib;
}

int sup_launch_and_wait(const struct sup_launch *l, int *ret_static, struct rw_err *e)
{
        char cmd_path[PATH_MAX], lib[PATH_MAX], musl[PATH_MAX];
        sigset_t set;
        pid_t child;
        int r, is_static;

        if (ret_static)
                *ret_static = 0;
        r = sup_find_command(l->argv[0], cmd_path, sizeof(cmd_path));
        if (r == -ENOENT && l->upper && sup_find_command_in_upper(l->upper, l->argv[0], cmd_path, sizeof(cmd_path)) == 0)
                r = 0;
        if (r < 0)
                return report_not_runnable(l->argv[0], r);
        r = sup_find_preload_lib(lib, sizeof(lib), e);
        if (r < 0)
                return r;
        enum rw_exec_kind kind = sup_exec_kind(cmd_path);
        const char *preload = preload_for(kind, cmd_path, lib, musl, sizeof(musl));
        is_static = rw_exec_kind_supervised(kind);
        if (is_static && strcmp(l->mode, "run") != 0) {
                /* trace/check: the ptrace backend records what the preload cannot see. */
                r = child_environment(l, lib, preload);
                return r < 0 ? rw_err_set(e, -r, "set up environment", cmd_path) : sup_static_trace_and_wait(l, e);
        }
        if (is_static && !l->upper) {
                fprintf(stderr, "rwshim: %s %s: the preload cannot serve it, so its writes are not redirected\n",
                        cmd_path, what_kind(cmd_path));
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
        /* Under run, static programs (CMD or any descendant) hand their calls to us; under trace
         * and check, static descendants of dynamic programs do (a static CMD has the ptrace
         * backend). check performs their writes inside the same confinement (notify_domain.h). */
        struct sup_notifier nt;
        int serve_static = l->upper || strcmp(l->mode, "trace") == 0 ||
                           (strcmp(l->mode, "check") == 0 && l->pre_exec);
        int notifying = serve_static && sup_notifier_open(&nt, l, e) == 0;
        if (!notifying && serve_static)
                sup_notifier_close(&nt);
        fflush(NULL);
        child = fork();
        if (child < 0) {
                r = rw_err_set(e, errno, "fork", cmd_path);
        } else if (child == 0) {
                run_child(l, cmd_path, lib, preload, &set, is_static, notifying ? nt.name : NULL);
        } else {
                r = supervise(child, &set, notifying ? &nt : NULL);
        }
        if (notifying && child > 0 && sup_notifier_live(&nt))
                /* A filter outlives its listener: their file calls fail with ENOSYS from now on. */
                fprintf(stderr, "rwshim: static programs still running after %s exited lose their file calls "
                                "(ENOSYS) as rwshim exits\n", l->argv[0]);
        if (notifying)
                sup_notifier_close(&nt);
        return r;
}
