/* Starting CMD with the preload, forwarding signals, reaping zombies (PID-1 duties). */
#include "supervisor/launch.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor/exec_probe.h"
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

static _Noreturn void run_child(const struct sup_launch *l, const char *cmd_path, const char *lib,
                                const sigset_t *blocked, int preload)
{
        struct rw_err e = { 0 };

        sigprocmask(SIG_UNBLOCK, blocked, NULL);
        if (preload && child_environment(l, lib) < 0) {
                rw_err_set(&e, errno, "set up environment", cmd_path);
                rw_err_print(&e);
                _exit(125);
        }
        if (l->pre_exec && l->pre_exec(l->pre_exec_ctx, &e) < 0) {
                rw_err_print(&e);
                _exit(125);
        }
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

/* Waits for child, forwarding requests and reaping every zombie (orphans come to us as
 * subreaper or PID 1). Returns the child's exit status. */
static int supervise(pid_t child, const sigset_t *set)
{
        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(set, &si);

                if (sig < 0)
                        continue;   /* EINTR */
                if (sig != SIGCHLD) {
                        /* Terminal signals already reached CMD's process group: forward only
                         * those sent by a process (kill, docker stop). */
                        if (si.si_code == SI_USER || si.si_code == SI_QUEUE || getpid() == 1)
                                kill(child, sig);
                        continue;
                }
                for (;;) {
                        int status;
                        pid_t p = waitpid(-1, &status, WNOHANG);

                        if (p <= 0)
                                break;
                        if (p == child)
                                return exit_status(status);
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

int sup_launch_and_wait(const struct sup_launch *l, int *ret_static, struct rw_err *e)
{
        char cmd_path[PATH_MAX], lib[PATH_MAX];
        sigset_t set;
        pid_t child;
        int r, is_static;

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
        if (is_static) {
                if (ret_static)
                        *ret_static = 1;
                fprintf(stderr, "rwshim: %s is statically linked: the preload cannot enter it, so its writes "
                                "are not %s\n", cmd_path, strcmp(l->mode, "run") == 0 ? "redirected" : "recorded");
        } else if (sup_is_setid(cmd_path)) {
                fprintf(stderr, "rwshim: %s is set-user-ID/set-group-ID: the loader ignores the preload, so it "
                                "runs untouched\n", cmd_path);
        }
        signal_set(&set);
        sigprocmask(SIG_BLOCK, &set, NULL);
        if (getpid() != 1)
                prctl(PR_SET_CHILD_SUBREAPER, 1);
        fflush(NULL);
        child = fork();
        if (child < 0)
                return rw_err_set(e, errno, "fork", cmd_path);
        if (child == 0)
                run_child(l, cmd_path, lib, &set, !is_static);
        return supervise(child, &set);
}
