/* posix_spawn's open file actions: the child opens the file through libc internals, out of
 * the preload's reach, so an open that needs the upper (a path the upper holds, or a write the
 * real directory refuses) is done here, through the engine, when the action is added; the
 * child is given a dup2 of that descriptor instead. The descriptor is ours until the program
 * destroys the file actions (a set of actions may serve several spawns). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "core/engine.h"
#include "core/sys.h"
#include "preload/state.h"

DECLARE_REAL(int, posix_spawn_file_actions_addopen, posix_spawn_file_actions_t *, int, const char *, int, mode_t);
DECLARE_REAL(int, posix_spawn_file_actions_destroy, posix_spawn_file_actions_t *);

/* Descriptors opened for a set of file actions, closed when it is destroyed. Lock-free: a
 * slot is claimed by a CAS on its owner. A full table leaves the descriptor open (a leak,
 * never a wrong file). */
#define SPAWN_FDS 64
static struct {
        _Atomic(posix_spawn_file_actions_t *) owner;
        int fd;
} spawn_fds[SPAWN_FDS];

static void remember_fd(posix_spawn_file_actions_t *fa, int fd)
{
        for (int i = 0; i < SPAWN_FDS; i++) {
                posix_spawn_file_actions_t *none = NULL;
                if (atomic_compare_exchange_strong(&spawn_fds[i].owner, &none, fa)) {
                        spawn_fds[i].fd = fd;
                        return;
                }
        }
}

static void close_fds_of(posix_spawn_file_actions_t *fa)
{
        for (int i = 0; i < SPAWN_FDS; i++)
                if (atomic_load(&spawn_fds[i].owner) == fa) {
                        rw_close(spawn_fds[i].fd);
                        atomic_store(&spawn_fds[i].owner, NULL);
                }
}

/* A write the real filesystem refuses: the file itself, or its directory when it is new. */
static int write_refused(const char *path, int oflag)
{
        char dir[PATH_MAX];
        int r;

        if (!(oflag & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)))
                return 0;
        r = rw_faccessat(AT_FDCWD, path, W_OK, AT_EACCESS);
        if (r == -ENOENT && (oflag & O_CREAT)) {
                const char *slash = strrchr(path, '/');
                size_t n = slash ? (size_t)(slash - path) : 0;
                if (n >= sizeof(dir))
                        return 0;
                memcpy(dir, slash ? path : ".", slash ? (n ? n : 1) : 1);
                dir[slash ? (n ? n : 1) : 1] = '\0';
                r = rw_faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS);
        }
        return r < 0 && rw_errno_redirectable(-r);
}

static int needs_engine(const char *path, int oflag)
{
        char abs[PATH_MAX];

        if (preload_engine.mode != RW_MODE_RUN || !path)
                return 0;
        if (preload_upper_nonempty() && (preload_query(AT_FDCWD, path, abs, sizeof(abs)) & RW_INDEX_UNDER))
                return 1;
        return write_refused(path, oflag);
}

PRELOAD_API int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd, const char *path,
                                                 int oflag, mode_t mode)
{
        if (preload_off() || !needs_engine(path, oflag))
                return REAL(posix_spawn_file_actions_addopen)(fa, fd, path, oflag, mode);
        /* open() is our own wrapper: the merged view, copy-up, the upper for new names. */
        int ours = open(path, oflag | O_CLOEXEC, mode);
        if (ours < 0)   /* the child's open then fails as it would natively */
                return REAL(posix_spawn_file_actions_addopen)(fa, fd, path, oflag, mode);
        int r = posix_spawn_file_actions_adddup2(fa, ours, fd);
        if (r != 0) {
                rw_close(ours);
                return r;
        }
        remember_fd(fa, ours);
        return 0;
}

PRELOAD_API int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
        close_fds_of(fa);
        return REAL(posix_spawn_file_actions_destroy)(fa);
}
