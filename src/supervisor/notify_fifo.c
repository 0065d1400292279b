/* A FIFO's blocking open on a thread of its own; see notify_fifo.h. */
#include "supervisor/notify_fifo.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct fifo_job {
        int listener;           /* our own dup: the supervisor may close its copy meanwhile */
        __u64 id;
        int flags;
        mode_t mode;
        unsigned fd_flags;
        char path[];
};

static void *open_and_answer(void *arg)
{
        struct fifo_job *j = arg;
        int fd = open(j->path, j->flags | O_CLOEXEC, j->mode);

        if (fd >= 0) {
                struct seccomp_notif_addfd add = { .id = j->id, .flags = SECCOMP_ADDFD_FLAG_SEND,
                                                   .srcfd = (__u32)fd, .newfd_flags = j->fd_flags };
                ioctl(j->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);   /* ENOENT: the caller left */
                close(fd);
        } else {
                struct seccomp_notif_resp resp = { .id = j->id, .error = -errno };
                ioctl(j->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
        }
        close(j->listener);
        free(j);
        return NULL;
}

int sup_fifo_open_async(int listener, __u64 id, const char *real, int flags, mode_t mode, unsigned fd_flags)
{
        size_t n = strlen(real) + 1;
        struct fifo_job *j = malloc(sizeof(*j) + n);
        pthread_attr_t attr;
        pthread_t t;
        int r;

        if (!j)
                return -ENOMEM;
        *j = (struct fifo_job){ .listener = fcntl(listener, F_DUPFD_CLOEXEC, 0), .id = id, .flags = flags,
                                .mode = mode, .fd_flags = fd_flags };
        memcpy(j->path, real, n);
        if (j->listener < 0) {
                r = -errno;
                free(j);
                return r;
        }
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 64 * 1024);
        r = pthread_create(&t, &attr, open_and_answer, j);
        pthread_attr_destroy(&attr);
        if (r != 0) {
                close(j->listener);
                free(j);
                return -r;
        }
        return 0;
}
