/* getent(1) for the static rwshim; see nss_getent.h. */
#include "supervisor/nss_getent.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Reads fd to its end into out (size bytes, NUL-terminated). Returns the length, or -1 when the
 * output does not fit or cannot be read (the rest is drained, so the child never blocks). */
static long read_to_end(int fd, char *out, size_t size)
{
        size_t n = 0;
        int too_long = 0;
        char sink[512];

        for (;;) {
                char *dst = n + 1 < size ? out + n : sink;
                size_t room = n + 1 < size ? size - n - 1 : sizeof(sink);
                ssize_t got = read(fd, dst, room);

                if (got < 0 && errno == EINTR)
                        continue;
                if (got <= 0) {
                        out[n] = '\0';
                        return got < 0 || too_long ? -1 : (long)n;
                }
                if (dst == sink)
                        too_long = 1;
                else
                        n += (size_t)got;
        }
}

long sup_getent(const char *db, const char *key, char *out, size_t size)
{
        char *const argv[] = { "getent", (char *)db, (char *)key, NULL };
        posix_spawn_file_actions_t fa;
        int fd[2], status, r;
        long len;
        pid_t pid;

        if (size == 0 || pipe2(fd, O_CLOEXEC) < 0)
                return -errno;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        r = posix_spawnp(&pid, "getent", &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(fd[1]);
        if (r != 0) {
                close(fd[0]);
                out[0] = '\0';
                return r == ENOENT ? 0 : -r;
        }
        len = read_to_end(fd[0], out, size);
        close(fd[0]);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || len <= 0)
                return 0;    /* 2: key not found; 127: getent could not start */
        return len;
}
