/* The static-binary backend: ptrace plus a seccomp filter on file syscalls; see static_backend.h.
 * The tracee stops only at the file syscalls (SECCOMP_RET_TRACE); we read the arguments at that
 * stop, let the call run with PTRACE_SYSCALL, and read its result at the syscall-exit stop. */
#include "supervisor/static_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/ptrace.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/event.h"
#include "supervisor/ptrace_proc.h"
#include "supervisor/ptrace_syscalls.h"

/* glibc's <sys/ptrace.h> clashes with <linux/ptrace.h>; declare the one call we use. */
extern long ptrace(int request, pid_t pid, void *addr, void *data);

#define TRACE_OPTIONS (PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | \
                       PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL | \
                       PTRACE_O_TRACESYSGOOD)

struct tracer {
        struct sup_tracee *t;
        size_t n;
        int events_fd;
        int all;
        pid_t main;
        int main_status;
};

static struct sup_tracee *tracee_get(struct tracer *tr, pid_t pid)
{
        struct sup_tracee *p;

        for (size_t i = 0; i < tr->n; i++)
                if (tr->t[i].pid == pid)
                        return &tr->t[i];
        p = realloc(tr->t, (tr->n + 1) * sizeof(*p));
        if (!p)
                return NULL;
        tr->t = p;
        p = &tr->t[tr->n++];
        memset(p, 0, sizeof(*p));
        p->pid = pid;
        p->tgid = sup_proc_tgid(pid);
        return p;
}

static void tracee_remove(struct tracer *tr, pid_t pid)
{
        for (size_t i = 0; i < tr->n; i++)
                if (tr->t[i].pid == pid) {
                        tr->t[i] = tr->t[--tr->n];
                        return;
                }
}

static void emit(const struct tracer *tr, const char *line, int len)
{
        /* One write(2) per record on an O_APPEND fd: lines never interleave with the preload's. */
        if (tr->events_fd >= 0 && len > 0 && write(tr->events_fd, line, (size_t)len) < 0)
                return;   /* a lost record must not stop the traced program */
}

static void on_exec(struct tracer *tr, struct sup_tracee *t)
{
        char line[8192];

        sup_proc_image(t);
        emit(tr, line, sup_proc_format(t, line, sizeof(line)));
}

static void on_seccomp_stop(struct sup_tracee *t)
{
        if (t->preloaded || sup_call_entry(t) <= 0) {
                ptrace(PTRACE_CONT, t->pid, NULL, NULL);
                return;
        }
        t->in_call = 1;
        ptrace(PTRACE_SYSCALL, t->pid, NULL, NULL);
}

static void on_syscall_exit(struct tracer *tr, struct sup_tracee *t)
{
        char line[3 * PATH_MAX];

        if (t->in_call)
                emit(tr, line, sup_call_exit(t, tr->all, line, sizeof(line)));
        t->in_call = 0;
        ptrace(PTRACE_CONT, t->pid, NULL, NULL);
}

static void on_new_child(struct tracer *tr, struct sup_tracee *t)
{
        unsigned long msg = 0;
        struct sup_tracee *c;
        char exe[PATH_MAX], line[8192];
        int preloaded = t->preloaded;

        snprintf(exe, sizeof(exe), "%s", t->exe);
        ptrace(PTRACE_GETEVENTMSG, t->pid, NULL, &msg);
        c = tracee_get(tr, (pid_t)msg);   /* may move t */
        if (!c)
                return;
        c->preloaded = preloaded;
        memcpy(c->exe, exe, sizeof(c->exe));
        if (c->tgid == c->pid)    /* a new process, not a thread: it gets its own record */
                emit(tr, line, sup_proc_format(c, line, sizeof(line)));
}

static void on_stop(struct tracer *tr, pid_t pid, int status)
{
        struct sup_tracee *t = tracee_get(tr, pid);
        int sig = WSTOPSIG(status), event = (unsigned)status >> 16;

        if (!t) {
                ptrace(PTRACE_CONT, pid, NULL, NULL);
                return;
        }
        if (sig == (SIGTRAP | 0x80)) {
                on_syscall_exit(tr, t);
                return;
        }
        if (sig == SIGTRAP && event == PTRACE_EVENT_SECCOMP) {
                on_seccomp_stop(t);
                return;
        }
        if (sig == SIGTRAP && event == PTRACE_EVENT_EXEC)
                on_exec(tr, t);
        else if (sig == SIGTRAP && (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
                                    event == PTRACE_EVENT_CLONE))
                on_new_child(tr, t), t = tracee_get(tr, pid);
        else if (sig == SIGSTOP && t && !t->started)
                t->started = 1;   /* the stop every auto-attached child starts with */
        else {
                ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);   /* deliver the signal */
                return;
        }
        ptrace(PTRACE_CONT, pid, NULL, NULL);
}

static int status_code(int status)
{
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int trace_loop(struct tracer *tr, struct rw_err *e)
{
        for (;;) {
                int status;
                pid_t pid = waitpid(-1, &status, __WALL);

                if (pid < 0 && errno == EINTR)
                        continue;
                if (pid < 0 && errno == ECHILD)
                        return tr->main_status;
                if (pid < 0)
                        return rw_err_set(e, errno, "wait for traced process", "");
                if (WIFEXITED(status) || WIFSIGNALED(status)) {
                        if (pid == tr->main)
                                tr->main_status = status_code(status);
                        tracee_remove(tr, pid);
                } else if (WIFSTOPPED(status)) {
                        on_stop(tr, pid, status);
                }
        }
}

static void child(const struct sup_launch *l, scmp_filter_ctx filter)
{
        struct rw_err e;
        int err;

        if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0) {
                rw_err_set(&e, errno, "ptrace", l->argv[0]);
                rw_err_hint(&e, "ptrace is blocked here (Yama ptrace_scope 3, SELinux, or a seccomp profile)");
                goto fail;
        }
        raise(SIGSTOP);   /* the tracer sets its options while we wait here */
        if (l->pre_exec && l->pre_exec(l->pre_exec_ctx, &e) < 0)
                goto fail;
        if ((err = seccomp_load(filter)) < 0) {
                rw_err_set(&e, -err, "load seccomp filter", "");
                goto fail;
        }
        execvp(l->argv[0], l->argv);
        err = errno;
        rw_err_set(&e, err, "exec", l->argv[0]);
        rw_err_print(&e);
        _exit(err == ENOENT ? 127 : 126);
fail:
        rw_err_print(&e);
        _exit(125);
}

static int start(struct tracer *tr, const struct sup_launch *l, struct rw_err *e)
{
        scmp_filter_ctx filter = sup_file_syscall_filter(l->record_all);
        int status;
        pid_t pid;

        if (!filter)
                return rw_err_set(e, errno, "build seccomp filter", "");
        pid = fork();
        if (pid == 0)
                child(l, filter);
        seccomp_release(filter);
        if (pid < 0)
                return rw_err_set(e, errno, "fork", "");
        tr->main = pid;
        if (waitpid(pid, &status, 0) < 0)
                return rw_err_set(e, errno, "wait for traced process", l->argv[0]);
        if (!WIFSTOPPED(status))
                return tr->main_status = status_code(status), 1;   /* died before exec */
        if (ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)TRACE_OPTIONS) < 0)
                return rw_err_set(e, errno, "ptrace options", l->argv[0]);
        if (!tracee_get(tr, pid))
                return rw_err_set(e, ENOMEM, "trace", l->argv[0]);
        tr->t[0].started = 1;
        ptrace(PTRACE_CONT, pid, NULL, NULL);
        return 0;
}

int sup_static_trace_and_wait(const struct sup_launch *l, struct rw_err *e)
{
        struct tracer tr = { .events_fd = -1, .all = l->record_all };
        int r;

        if (l->events_path) {
                tr.events_fd = open(l->events_path, O_WRONLY | O_APPEND | O_CLOEXEC);
                if (tr.events_fd < 0)
                        return rw_err_set(e, errno, "open event file", l->events_path);
        }
        r = start(&tr, l, e);
        if (r == 0)
                r = trace_loop(&tr, e);
        else if (r == 1)
                r = tr.main_status;
        if (tr.events_fd >= 0)
                close(tr.events_fd);
        free(tr.t);
        return r;
}
