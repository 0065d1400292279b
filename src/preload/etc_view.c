/* Reading the merged copy of a file libc opens by itself; see etc_view.h. Only reached from
 * the NSS, resolver and time wrappers, after the index said the upper may hold the file. */
#include "preload/etc_view.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/sys.h"
#include "core/vfs.h"
#include "core/vfs_common.h"
#include "preload/state.h"

int etc_view_maybe_changed(const char *abs)
{
        return !preload_off() && preload_upper_nonempty() &&
               (rw_index_query(preload_engine.upper.index, abs) & RW_INDEX_UNDER);
}

/* Changed means the upper holds or deleted the name itself: a symlink /etc/localtime an
 * entrypoint re-pointed is in the upper even though its target is a lower file. Returns 1
 * with real set, 0 when libc's own file is right (the index said "maybe" wrongly), or -errno
 * (-ENOENT when deleted). Only a symlink costs a second, following lookup. */
static int changed_in_upper(const char *abs, char *real, size_t size)
{
        struct rw_where w RW_WHERE_AUTO = { .parent_fd = -1 };
        int r = rw_layer_lookup(&preload_engine.upper, abs, 0, &w);

        if (r < 0)
                return r;
        if (w.kind == RW_GONE)
                return -ENOENT;
        if (w.kind != RW_UPPER)
                return 0;
        if (!S_ISLNK(w.st.st_mode))
                r = rw_where_real_path(&preload_engine.upper, &w, real, size);
        else
                r = rw_vfs_real_path(&preload_engine, abs, 1, real, size);
        return r < 0 ? r : 1;
}

int etc_view_real_path(const char *abs, char *real, size_t size)
{
        int r;

        if (!etc_view_maybe_changed(abs))
                return ETC_UNCHANGED;
        preload_busy = 1;
        r = changed_in_upper(abs, real, size);
        preload_busy = 0;
        if (r == 0)
                return ETC_UNCHANGED;
        if (r == -ENOENT || r == -ENOTDIR) {
                real[0] = '\0';
                return ETC_CHANGED;   /* deleted in the upper (or a link to nowhere): empty */
        }
        return r < 0 ? r : ETC_CHANGED;
}

static int map_file(const char *real, struct etc_view *v)
{
        struct stat st;
        int fd = rw_openat(AT_FDCWD, real, O_RDONLY, 0), r;

        if (fd < 0)
                return fd;
        r = (int)rw_sysret(RW_SYSCALL(SYS_fstat, fd, &st));
        if (r == 0 && st.st_size > 0) {
                void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
                if (m == MAP_FAILED) {
                        r = -errno;
                } else {
                        v->map = m;
                        v->map_len = (size_t)st.st_size;
                        v->data = m;
                        v->len = (size_t)st.st_size;
                }
        }
        rw_close(fd);
        return r;
}

int etc_view_open(const char *abs, struct etc_view *v)
{
        char real[PATH_MAX];
        int saved = errno;
        int r = etc_view_real_path(abs, real, sizeof(real));

        if (r == ETC_CHANGED) {
                memset(v, 0, sizeof(*v));
                if (real[0] && (r = map_file(real, v)) == 0)
                        r = ETC_CHANGED;
                else if (!real[0])
                        r = ETC_CHANGED;
        }
        errno = saved;
        return r;
}

void etc_view_close(struct etc_view *v)
{
        if (v->map)
                munmap(v->map, v->map_len);
        memset(v, 0, sizeof(*v));
}

int etc_view_next(const struct etc_view *v, size_t *pos, const char **line, size_t *len)
{
        if (!v->data || *pos >= v->len)
                return 0;
        const char *start = v->data + *pos;
        const char *nl = memchr(start, '\n', v->len - *pos);
        size_t n = nl ? (size_t)(nl - start) : v->len - *pos;

        *line = start;
        *len = n;
        *pos += n + (nl ? 1 : 0);
        return 1;
}
