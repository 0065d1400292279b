/* exec*, posix_spawn*, system and popen: the preload follows every program the run starts,
 * even when it clears its environment, and executables in the upper run from there. */
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/elf_probe.h"
#include "core/seccomp_notify.h"
#include "core/sys.h"
#include "core/vfs.h"
#include "preload/env.h"
#include "preload/state.h"

extern char **environ;

DECLARE_REAL(int, execve, const char *, char *const[], char *const[]);
DECLARE_REAL(int, execvpe, const char *, char *const[], char *const[]);
DECLARE_REAL(int, fexecve, int, char *const[], char *const[]);
DECLARE_REAL(int, execveat, int, const char *, char *const[], char *const[], int);
DECLARE_REAL(int, posix_spawn, pid_t *, const char *, const posix_spawn_file_actions_t *,
             const posix_spawnattr_t *, char *const[], char *const[]);
DECLARE_REAL(int, posix_spawnp, pid_t *, const char *, const posix_spawn_file_actions_t *,
             const posix_spawnattr_t *, char *const[], char *const[]);
DECLARE_REAL(int, system, const char *);
DECLARE_REAL(FILE *, popen, const char *, const char *);

/* The executable to run: the upper copy if the upper holds path. */
static const char *exec_path(const char *path, char *buf)
{
        char abs[PATH_MAX];

        if (!preload_upper_nonempty() || !path || !strchr(path, '/'))
                return path;
        if (!(preload_query(AT_FDCWD, path, abs, sizeof(abs)) & RW_INDEX_UNDER))
                return path;
        return rw_vfs_real_path(&preload_engine, abs, 1, buf, PATH_MAX) == 0 ? buf : path;
}

/* A static program is out of the preload's reach: before exec, hand this process's file
 * calls to the supervisor (seccomp user notification), which then serves the new image. */
static void hand_over_if_static(const char *path)
{
        const char *sock;

        if ((preload_engine.mode != RW_MODE_RUN && preload_engine.mode != RW_MODE_TRACE) ||
            !(sock = preload_env_saved(RW_NOTIFY_ENV)) || !rw_elf_is_static(path))
                return;
        int r = rw_notify_enter(sock, preload_env_saved(RW_NOTIFY_PID_ENV));
        if (r == RW_NOTIFY_NOT_OURS)
                preload_warn("the supervisor's socket is held by another process: refused; a static program "
                             "runs unserved", path, -r);
        else if (r < 0)
                preload_warn(preload_engine.mode == RW_MODE_RUN ? "a static program's writes are not redirected"
                             : "a static program's writes are not traced", path, -r);
}

/* execvp's search, for hand_over_if_static(): the first executable file of that name in
 * $PATH, written to buf; file itself when it has a '/'. */
static const char *search_path(const char *file, char *buf)
{
        const char *p = getenv("PATH");
        size_t lf = strlen(file);

        if (strchr(file, '/') || !preload_env_saved(RW_NOTIFY_ENV))
                return file;
        for (p = p ? p : "/bin:/usr/bin"; ; p++) {
                const char *end = strchrnul(p, ':');
                size_t ld = (size_t)(end - p);
                if (ld + lf + 2 <= PATH_MAX) {
                        memcpy(buf, ld ? p : ".", ld ? ld : 1);
                        ld = ld ? ld : 1;
                        buf[ld] = '/';
                        memcpy(buf + ld + 1, file, lf + 1);
                        if (rw_faccessat(AT_FDCWD, buf, X_OK, AT_EACCESS) == 0)
                                return buf;
                }
                if (!*end)
                        return file;
                p = end;
        }
}

PRELOAD_API int execve(const char *path, char *const argv[], char *const envp[])
{
        char buf[PATH_MAX];
        struct preload_env env;

        if (preload_engine.mode == RW_MODE_OFF)
                return REAL(execve)(path, argv, envp);
        preload_env_fix(envp, &env);
        const char *real = exec_path(path, buf);
        hand_over_if_static(real);
        int r = REAL(execve)(real, argv, env.envp);
        int saved = errno;
        preload_env_release(&env);
        errno = saved;
        return r;
}

PRELOAD_API int execv(const char *path, char *const argv[]) { return execve(path, argv, environ); }

PRELOAD_API int execvpe(const char *file, char *const argv[], char *const envp[])
{
        char buf[PATH_MAX];
        struct preload_env env;

        if (preload_engine.mode == RW_MODE_OFF)
                return REAL(execvpe)(file, argv, envp);
        preload_env_fix(envp, &env);
        const char *real = exec_path(file, buf);
        char found[PATH_MAX];
        hand_over_if_static(search_path(real, found));
        int r = REAL(execvpe)(real, argv, env.envp);
        int saved = errno;
        preload_env_release(&env);
        errno = saved;
        return r;
}

PRELOAD_API int execvp(const char *file, char *const argv[]) { return execvpe(file, argv, environ); }

PRELOAD_API int fexecve(int fd, char *const argv[], char *const envp[])
{
        struct preload_env env;

        if (preload_engine.mode == RW_MODE_OFF)
                return REAL(fexecve)(fd, argv, envp);
        preload_env_fix(envp, &env);
        int r = REAL(fexecve)(fd, argv, env.envp);
        int saved = errno;
        preload_env_release(&env);
        errno = saved;
        return r;
}

PRELOAD_API int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
        struct preload_env env;

        if (preload_engine.mode == RW_MODE_OFF)
                return REAL(execveat)(dirfd, path, argv, envp, flags);
        preload_env_fix(envp, &env);
        int r = REAL(execveat)(dirfd, path, argv, env.envp, flags);
        int saved = errno;
        preload_env_release(&env);
        errno = saved;
        return r;
}

/* execl & co: collect the variadic arguments into an argv on an mmap'd page (these run
 * between fork and exec, where malloc is not safe). */
#define MAX_ARGS 65536
static char **collect_args(const char *arg0, va_list ap, char ***ret_envp, size_t *ret_size)
{
        size_t size = MAX_ARGS * sizeof(char *);
        char **argv = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        size_t n = 0;

        if (argv == MAP_FAILED)
                return NULL;
        argv[n++] = (char *)arg0;
        while (arg0 && n < MAX_ARGS - 1 && (argv[n] = va_arg(ap, char *)) != NULL)
                n++;
        argv[n] = NULL;
        if (ret_envp)
                *ret_envp = va_arg(ap, char **);
        *ret_size = size;
        return argv;
}

#define EXECL_BODY(call, with_env) \
        va_list ap; \
        size_t size; \
        char **envp = environ; \
        va_start(ap, arg); \
        char **argv = collect_args(arg, ap, with_env ? &envp : NULL, &size); \
        va_end(ap); \
        if (!argv) { errno = ENOMEM; return -1; } \
        int r = call; \
        int saved = errno; \
        munmap(argv, size); \
        errno = saved; \
        return r;

PRELOAD_API int execl(const char *path, const char *arg, ...) { EXECL_BODY(execve(path, argv, envp), 0) }
PRELOAD_API int execle(const char *path, const char *arg, ...) { EXECL_BODY(execve(path, argv, envp), 1) }
PRELOAD_API int execlp(const char *file, const char *arg, ...) { EXECL_BODY(execvpe(file, argv, envp), 0) }

PRELOAD_API int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                            const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
        char buf[PATH_MAX];
        struct preload_env env;

        if (preload_engine.mode == RW_MODE_OFF)
                return REAL(posix_spawn)(pid, path, fa, attr, argv, envp);
        preload_env_fix(envp, &env);
        int r = REAL(posix_spawn)(pid, exec_path(path, buf), fa, attr, argv, env.envp);
        preload_env_release(&env);
        return r;
}

PRELOAD_API int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                             const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
        struct preload_env env;

        if (preload_engine.mode == RW_MODE_OFF)
                return REAL(posix_spawnp)(pid, file, fa, attr, argv, envp);
        preload_env_fix(envp, &env);
        int r = REAL(posix_spawnp)(pid, file, fa, attr, argv, env.envp);
        preload_env_release(&env);
        return r;
}

/* system() and popen() spawn /bin/sh with environ through glibc internals: make sure environ
 * still carries the preload first. */
static void restore_environ(void)
{
        struct preload_env env;

        preload_env_fix(environ, &env);
        if (env.envp != environ)
                environ = env.envp;   /* kept for the life of the process */
}

PRELOAD_API int system(const char *cmd)
{
        if (preload_engine.mode != RW_MODE_OFF)
                restore_environ();
        return REAL(system)(cmd);
}

PRELOAD_API FILE *popen(const char *cmd, const char *mode)
{
        if (preload_engine.mode != RW_MODE_OFF)
                restore_environ();
        return REAL(popen)(cmd, mode);
}
