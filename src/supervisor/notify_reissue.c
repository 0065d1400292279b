/* Rewriting one notified call at a ptrace stop; see notify_reissue.h. */
#include "supervisor/notify_reissue.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/seccomp_notify.h"

#if defined(__x86_64__)

#define SYSCALL_INSN_LEN 2      /* "syscall" (0f 05): the length the kernel's own restart uses */
#define ERESTARTSYS_ 512        /* what an interrupted notified call holds in rax at the stop */

/* The fixed slot (see RW_NOTIFY_SLOT), when the thread's fd limit allows it. Whatever is there is
 * replaced: the slot is reserved (a rewriting cut short by a signal leaves ours behind, and the
 * next one must be able to reuse it). */
static int free_slot(pid_t tid)
{
        struct rlimit rl;

        if (prlimit(tid, RLIMIT_NOFILE, NULL, &rl) == 0 && rl.rlim_cur <= (rlim_t)RW_NOTIFY_SLOT)
                return -EMFILE;
        return RW_NOTIFY_SLOT;
}

enum stop { STOP_EVENT, STOP_SYSCALL, STOP_SIGNAL, STOP_GONE };

/* Waits for tid's next stop; *sig is the signal of a signal-delivery stop. An exit is only
 * peeked at, never reaped: the tracee may be CMD, whose status the launcher waits for. */
static enum stop wait_stop(pid_t tid, int *sig)
{
        siginfo_t si;
        int st;

        *sig = 0;
        for (;;) {
                memset(&si, 0, sizeof(si));
                if (waitid(P_PID, (id_t)tid, &si, WEXITED | WSTOPPED | WNOWAIT | __WALL) == 0)
                        break;
                if (errno != EINTR)
                        return STOP_GONE;
        }
        if (si.si_code != CLD_TRAPPED && si.si_code != CLD_STOPPED)
                return STOP_GONE;
        while (waitpid(tid, &st, __WALL) < 0)
                if (errno != EINTR)
                        return STOP_GONE;
        if (!WIFSTOPPED(st))
                return STOP_GONE;
        if (WSTOPSIG(st) == (SIGTRAP | 0x80))
                return STOP_SYSCALL;
        if ((st >> 16) != 0)
                return STOP_EVENT;   /* PTRACE_EVENT_STOP: our interrupt, or a group stop */
        *sig = WSTOPSIG(st);
        return STOP_SIGNAL;
}

static void set_args(struct user_regs_struct *g, const struct sup_reissue *r, int slot)
{
        unsigned long a[6];

        for (int i = 0; i < 6; i++)
                a[i] = r->args[i] == SUP_REISSUE_FD ? (unsigned long)slot : r->args[i];
        g->orig_rax = (unsigned long)r->nr;
        g->rdi = a[0];
        g->rsi = a[1];
        g->rdx = a[2];
        g->r10 = a[3];
        g->r8 = a[4];
        g->r9 = a[5];
}

/* One injected syscall from an exit stop: the thread re-executes its syscall instruction with
 * our number and argument; returns at that call's exit stop. */
static int inject_close(pid_t tid, const struct user_regs_struct *at_exit, int slot)
{
        struct user_regs_struct g = *at_exit;
        int sig;

        g.rax = SYS_close;
        g.rdi = (unsigned long)slot;
        g.rip -= SYSCALL_INSN_LEN;
        if (ptrace(PTRACE_SETREGS, tid, 0, &g) < 0 || ptrace(PTRACE_SYSCALL, tid, 0, 0) < 0 ||
            wait_stop(tid, &sig) != STOP_SYSCALL || ptrace(PTRACE_SYSCALL, tid, 0, 0) < 0 ||
            wait_stop(tid, &sig) != STOP_SYSCALL)
                return -1;
        return 0;
}

/* From the interrupt stop on: rewrite, run, clean up, put back. */
static long run_rewritten(pid_t tid, const struct sup_reissue *r, int slot)
{
        struct user_regs_struct saved, g;
        int sig;

        if (ptrace(PTRACE_GETREGS, tid, 0, &saved) < 0)
                return SUP_REISSUE_RETRY;
        if ((long)saved.orig_rax != r->orig_nr || (long)saved.rax != -ERESTARTSYS_) {
                ptrace(PTRACE_DETACH, tid, 0, 0);   /* not our call any more: leave it alone */
                return SUP_REISSUE_RETRY;
        }
        g = saved;
        set_args(&g, r, slot);
        /* rax stays -ERESTARTSYS: on resuming, the kernel restarts the call from orig_rax. */
        if (ptrace(PTRACE_SETREGS, tid, 0, &g) < 0 || ptrace(PTRACE_SYSCALL, tid, 0, 0) < 0)
                return SUP_REISSUE_RETRY;
        enum stop s = wait_stop(tid, &sig);
        if (s == STOP_SIGNAL || s == STOP_EVENT) {
                /* A signal came first: give the thread its own call back and the signal; the
                 * kernel restarts the original call, which is notified again. */
                ptrace(PTRACE_SETREGS, tid, 0, &saved);
                ptrace(PTRACE_DETACH, tid, 0, sig);
                return SUP_REISSUE_RETRY;
        }
        if (s != STOP_SYSCALL || ptrace(PTRACE_SYSCALL, tid, 0, 0) < 0)
                return -ESRCH;   /* the thread died under us */
        if (wait_stop(tid, &sig) != STOP_SYSCALL) {
                /* An exec from a thread other than the leader takes the leader's id: the new
                 * image stops there, and must be let go. */
                if (r->exec && r->tgid != tid && wait_stop(r->tgid, &sig) != STOP_GONE)
                        ptrace(PTRACE_DETACH, r->tgid, 0, 0);
                return r->exec ? 0 : -ESRCH;
        }
        if (ptrace(PTRACE_GETREGS, tid, 0, &g) < 0)
                return -ESRCH;
        long result = (long)g.rax;
        if (r->exec && result == 0) {
                ptrace(PTRACE_DETACH, tid, 0, 0);   /* a new image: its registers are its own */
                return 0;
        }
        if (!(r->keep_fd && result == 0) && inject_close(tid, &g, slot) < 0)
                return -ESRCH;
        saved.rax = (unsigned long)result;
        ptrace(PTRACE_SETREGS, tid, 0, &saved);
        ptrace(PTRACE_DETACH, tid, 0, 0);
        return result;
}

long sup_reissue(int listener, __u64 id, pid_t tid, const struct sup_reissue *r)
{
        int slot = free_slot(tid), sig;

        if (slot < 0)
                return SUP_REISSUE_UNAVAILABLE;
        struct seccomp_notif_addfd add = { .id = id, .flags = SECCOMP_ADDFD_FLAG_SETFD, .srcfd = (__u32)r->fd,
                                           .newfd = (__u32)slot, .newfd_flags = r->keep_fd ? 0 : O_CLOEXEC };
        /* Installed first: a tracee that is not stopped cannot be detached from. Left behind
         * (close-on-exec) when no stop can be had. */
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0)
                return SUP_REISSUE_UNAVAILABLE;
        if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD) < 0)
                return SUP_REISSUE_UNAVAILABLE;   /* another tracer, or ptrace not allowed here */
        if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0)
                return -ESRCH;
        enum stop s = wait_stop(tid, &sig);
        if (s == STOP_GONE)
                return -ESRCH;
        if (s != STOP_EVENT) {
                ptrace(PTRACE_DETACH, tid, 0, sig);   /* its call restarts and is notified again */
                return SUP_REISSUE_RETRY;
        }
        return run_rewritten(tid, r, slot);
}

#else

long sup_reissue(int listener, __u64 id, pid_t tid, const struct sup_reissue *r)
{
        (void)listener, (void)id, (void)tid, (void)r;
        return SUP_REISSUE_UNAVAILABLE;
}

#endif
