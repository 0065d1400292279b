/* The per-thread probe cache of the seccomp backend; see notify_callers.h. */
#include "supervisor/notify_callers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/elf_probe.h"
#include "supervisor/ptrace_proc.h"

#ifndef PIDFD_THREAD   /* Linux 6.9 uapi; Debian 12's headers are 6.1 */
#define PIDFD_THREAD O_EXCL
#endif

/* Go programs run a dozen threads, a build a few processes of them: 128 covers a busy tree;
 * past that the least recently used entry is dropped, which costs only a new probe. */
#define N_PROBES 128

static struct sup_probe probes[N_PROBES];
static struct sup_probe spare;   /* when no slot is free: lives until the next call */
static unsigned long clock_now;
static int epoll_fd = -1;

static void drop(struct sup_probe *p)
{
        if (p->pidfd >= 0) {
                if (epoll_fd >= 0)
                        epoll_ctl(epoll_fd, EPOLL_CTL_DEL, p->pidfd, NULL);
                close(p->pidfd);
        }
        if (p->status_fd >= 0)
                close(p->status_fd);
        memset(p, 0, sizeof(*p));
        p->pidfd = p->status_fd = -1;
}

/* A pidfd that polls readable when the thread exits. Before Linux 6.9 there is no thread
 * pidfd: the process's pidfd (readable when the whole process has exited) is the best there
 * is; a tid reused meanwhile would need the pid space to wrap while the process lives. */
static int open_pidfd(pid_t tid, pid_t tgid)
{
        int fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);

        if (fd < 0 && errno == EINVAL)
                fd = (int)syscall(SYS_pidfd_open, tgid, 0);
        return fd;
}

static void probe(struct sup_probe *p, pid_t tid)
{
        char exe[64];

        p->tid = tid;
        p->tgid = sup_proc_tgid(tid);
        p->status_fd = -1;
        /* The pidfd first: if the thread dies between here and the probe, the entry is
         * dropped at the next reap instead of answering for whoever gets the tid. */
        p->pidfd = open_pidfd(tid, p->tgid);
        if (p->pidfd >= 0) {
                if (epoll_fd < 0)
                        epoll_fd = epoll_create1(EPOLL_CLOEXEC);
                struct epoll_event ev = { .events = EPOLLIN, .data.ptr = p };
                if (epoll_fd < 0 || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, p->pidfd, &ev) < 0) {
                        close(p->pidfd);
                        p->pidfd = -1;
                }
        }
        p->preloaded = sup_proc_preloaded(tid);
        snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)tid);
        p->dynamic = rw_exec_kind_preloaded(rw_elf_kind(exe));
}

struct sup_probe *sup_callers_get(pid_t tid)
{
        struct sup_probe *free_slot = NULL, *oldest = NULL;

        clock_now++;
        for (size_t i = 0; i < N_PROBES; i++) {
                struct sup_probe *p = &probes[i];
                if (p->tid == tid) {
                        p->last_use = clock_now;
                        return p;
                }
                if (!p->tid && !free_slot)
                        free_slot = p;
                if (p->tid && (!oldest || p->last_use < oldest->last_use))
                        oldest = p;
        }
        struct sup_probe *p = free_slot ? free_slot : oldest;
        if (!p) {
                p = &spare;
                if (p->tid)
                        drop(p);
        } else if (p->tid) {
                drop(p);
        }
        probe(p, tid);
        if (p->pidfd < 0 && p != &spare) {
                /* No way to tell when it is gone: never remember it beyond this call. */
                struct sup_probe copy = *p;
                memset(p, 0, sizeof(*p));
                p->pidfd = p->status_fd = -1;
                if (spare.tid)
                        drop(&spare);
                spare = copy;
                p = &spare;
        }
        p->last_use = clock_now;
        return p;
}

void sup_callers_exec(pid_t tid)
{
        pid_t tgid = 0;

        for (size_t i = 0; i < N_PROBES; i++)
                if (probes[i].tid == tid)
                        tgid = probes[i].tgid;
        for (size_t i = 0; i < N_PROBES; i++)
                if (probes[i].tid && (probes[i].tid == tid || (tgid && probes[i].tgid == tgid)))
                        drop(&probes[i]);
        if (spare.tid)
                drop(&spare);
}

int sup_callers_fd(void)
{
        return epoll_fd;
}

void sup_callers_reap(void)
{
        struct epoll_event ev[16];
        int n;

        if (epoll_fd < 0)
                return;
        while ((n = epoll_wait(epoll_fd, ev, 16, 0)) > 0)
                for (int i = 0; i < n; i++)
                        drop(ev[i].data.ptr);
}

long sup_probe_umask(struct sup_probe *p)
{
        char path[64], buf[4096];
        ssize_t n;

        if (p->status_fd < 0) {
                snprintf(path, sizeof(path), "/proc/%d/status", (int)p->tid);
                p->status_fd = open(path, O_RDONLY | O_CLOEXEC);
                if (p->status_fd < 0)
                        return -1;
        }
        /* A seq_file: each read at offset 0 renders the file anew. */
        n = pread(p->status_fd, buf, sizeof(buf) - 1, 0);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        const char *u = strstr(buf, "\nUmask:");
        return u ? strtol(u + 7, NULL, 8) : -1;
}

void sup_callers_clear(void)
{
        for (size_t i = 0; i < N_PROBES; i++)
                if (probes[i].tid)
                        drop(&probes[i]);
        if (spare.tid)
                drop(&spare);
        if (epoll_fd >= 0)
                close(epoll_fd);
        epoll_fd = -1;
}
