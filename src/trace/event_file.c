/* The event file; see event_file.h. */
#include "trace/event_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int try_memfd(struct trace_event_file *f)
{
        int fd = memfd_create("rwshim-events", MFD_CLOEXEC);

        if (fd < 0)
                return -errno;
        snprintf(f->path, sizeof(f->path), "/proc/%d/fd/%d", (int)getpid(), fd);
        /* Children reopen it by that name: make sure the name works here. */
        if (access(f->path, W_OK) < 0) {
                int err = errno;
                close(fd);
                return -err;
        }
        f->fd = fd;
        return 0;
}

static int try_temp(struct trace_event_file *f, const char *dir)
{
        int fd;

        if (!dir || dir[0] != '/')
                return -EINVAL;
        snprintf(f->path, sizeof(f->path), "%s/rwshim-events.XXXXXX", dir);
        fd = mkostemp(f->path, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        f->fd = fd;
        f->on_disk = 1;
        return 0;
}

static int try_temps(struct trace_event_file *f)
{
        return try_temp(f, getenv("TMPDIR")) == 0 || try_temp(f, "/tmp") == 0 || try_temp(f, "/dev/shm") == 0;
}

int trace_event_file_create(struct trace_event_file *f, int on_disk, struct rw_err *e)
{
        f->fd = -1;
        f->on_disk = 0;
        if (on_disk && try_temps(f))
                return 0;
        if (try_memfd(f) == 0 || try_temps(f))
                return 0;
        rw_err_set(e, errno ? errno : EACCES, "create event file", "/proc/self/fd, $TMPDIR, /tmp, /dev/shm");
        return rw_err_hint(e, "mount /proc, or set TMPDIR to a writable dir");
}

void trace_event_file_close(struct trace_event_file *f)
{
        if (f->fd >= 0)
                close(f->fd);
        f->fd = -1;
        if (f->on_disk)
                unlink(f->path);
        f->on_disk = 0;
}
