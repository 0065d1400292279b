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
#include "preload/spool.h"
#include "preload/state.h"

extern char **environ;

DECLARE_REAL(int, execve, const char *, char *const[], char *const[]);
DECLARE_REAL(int, execvpe, const char *, char *const[], char *const[]);
DECLARE_REAL(int, fexecve, int, char *const[], char *const[]);
DECLARE_REAL_OPT(int, execveat, int, const char *, char *const[], char *const[], int);
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

/* What exec(path) will run; path may be NULL (then: unknown). */
static enum rw_exec_kind kind_of(const char *path)
{
        return path ? rw_exec_kind(path, NULL, 0) : RW_EXEC_UNKNOWN;
}

/* A static or Go program is out of the preload's reach: before exec, hand this process's file
 * calls to the supervisor (seccomp user notification), which then serves the new image. */
static void hand_over_if_supervised(const char *path, enum rw_exec_kind kind)
{
        const char *sock;

        if (preload_engine.mode == RW_MODE_OFF ||
            !(sock = preload_env_saved(RW_NOTIFY_ENV)) || !rw_exec_kind_supervised(kind))
                return;
        int r = rw_notify_enter(sock, preload_env_saved(RW_NOTIFY_PID_ENV));
        if (r == RW_NOTIFY_NOT_OURS)
                preload_warn("the supervisor's socket is held by another process: refused; a static program "
                             "runs unserved", path, -r);
        else if (r < 0)
                preload_warn(preload_engine.mode == RW_MODE_RUN ? "a static or Go program's writes are not redirected"
                             : "a static or Go program's writes are not traced", path, -r);
}

/* execvp's search: the first executable file of that name in $PATH, written to buf; file
 * itself when it has a '/' (or nothing is found: exec then says why). */
static const char *search_path(const char *file, char *buf)
{
        const char *p = getenv("PATH");
        size_t lf = strlen(file);

        if (strchr(file, '/'))
                return file;
        for (p = p ? p : "/bin:/usr/bin"; ; p++) {
                const char *end = strchrnul(p, ':');
                size_t ld = (size_t)(end - p);
                if (ld + lf + 2 <= PATH_MAX) {
                        memcpy(buf, ld ? p : ".", ld ? ld : 1);
                        ld = ld ? ld : 1;
                        buf[ld] = '/';
                        memcpy(buf + ld + 1, file, lf + 1);
                        char mapped[PATH_MAX];   /* a program only the upper holds counts too */
                        if (rw_faccessat(AT_FDCWD, exec_path(buf, mapped), X_OK, AT_EACCESS) == 0)
                                return buf;
                }
                if (!*end)
                        return file;
                p = end;
        }
}

/* "/proc/self/fd/N" (+ "/" rel): the file fexecve/execveat will run, for the probe. */
static const char *fd_path(int fd, const char *rel, char *buf)
{
        char digits[16];
        size_t n = 0, k = 0;
        unsigned v = (unsigned)fd;

        do
                digits[n++] = (char)('0' + v % 10);
        while ((v /= 10) && n < sizeof(digits));
        memcpy(buf, "/proc/self/fd/", 14);
        k = 14;
        while (n)
                buf[k++] = digits[--n];
        buf[k] = '\0';
        if (rel && *rel && strlen(rel) + k + 2 <= PATH_MAX) {
                buf[k++] = '/';
                strcpy(buf + k, rel);
        }
        return buf;
}

/* The common part of the exec family: environment for the target's kind, hand-over. */
static int exec_with(const char *path, const char *probe, char *const envp[],
                     int (*call)(const char *, char *const[], char *const[], void *), char *const argv[], void *ctx)
{
        struct preload_env env;
        enum rw_exec_kind kind = kind_of(probe);

        preload_env_fix(envp, kind, probe ? probe : path, &env);
        hand_over_if_supervised(probe, kind);
        preload_spool_release();   /* the old image's records before the new one's */
        int r = call(path, argv, env.envp, ctx);
        int saved = errno;
        preload_env_release(&env);
        errno = saved;
        return r;
}

static int call_execve(const char *path, char *const argv[], char *const envp[], void *ctx)
{
        (void)ctx;
        return REAL(execve)(path, argv, envp);
}

static int call_execvpe(const char *file, char *const argv[], char *const envp[], void *ctx)
{
        (void)ctx;
        return REAL(execvpe)(file, argv, envp);
}

static int call_fexecve(const char *unused, char *const argv[], char *const envp[], void *ctx)
{
        (void)unused;
        return REAL(fexecve)(*(int *)ctx, argv, envp);
}

/* musl has no execveat(): the system call then. */
static int libc_execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
        if (likely(REAL_OPT(execveat) != NULL))
                return real_execveat(dirfd, path, argv, envp, flags);
        return preload_ret((int)rw_sysret(RW_SYSCALL(SYS_execveat, dirfd, path, argv, envp, flags)));
}

struct at_call { int dirfd, flags; };
static int call_execveat(const char *path, char *const argv[], char *const envp[], void *ctx)
{
        const struct at_call *a = ctx;
        return libc_execveat(a->dirfd, path, argv, envp, a->flags);
}

PRELOAD_API int execve(const char *path, char *const argv[], char *const envp[])
{
        char buf[PATH_MAX];

        if (preload_engine.mode == RW_MODE_OFF)
                return REAL(execve)(path, argv, envp);
        const char *real = exec_path(path, buf);
        return exec_with(real, real, envp, call_execve, argv, NULL);
}

PRELOAD_API int execv(const char *path, char *const argv[]) { return execve(path, argv, environ); }

PRELOAD_API int execvpe(const char *file, char *const argv[], char *const envp[])
{
        char buf[PATH_MAX], found[PATH_MAX];

        if (preload_engine.mode == RW_MODE_OFF)
                return REAL(execvpe)(file, argv, envp);
        const char *real = exec_path(file, buf), *probe = search_path(real, found);
        return exec_with(real, strchr(probe, '/') ? probe : NULL, envp, call_execvpe, argv, NULL);
}

PRELOAD_API int execvp(const char *file, char *const argv[]) { return execvpe(file, argv, environ); }

PRELOAD_API int fexecve(int fd, char *const argv[], char *const envp[])
{
        char buf[PATH_MAX];

        if (preload_engine.mode == RW_MODE_OFF)
                return REAL(fexecve)(fd, argv, envp);
        return exec_with(NULL, fd_path(fd, NULL, buf), envp, call_fexecve, argv, &fd);
}

PRELOAD_API int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
        char buf[PATH_MAX];
        struct at_call a = { dirfd, flags };

        if (preload_engine.mode == RW_MODE_OFF)
                return libc_execveat(dirfd, path, argv, envp, flags);
        const char *probe = path[0] == '/' ? path : dirfd == AT_FDCWD ? path : fd_path(dirfd, path, buf);
        return exec_with(path, probe, envp, call_execveat, argv, &a);
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

/* posix_spawn runs the program from a child we get no code into (glibc: clone(CLONE_VFORK)
 * and an internal exec). For a program the supervisor serves, spawn `rwshim __exec` instead:
 * the file actions and attributes apply to it, it hands itself over and execs the program,
 * in the same process. It gets the mode as an argument and no RWSHIM_MODE, so the preload
 * stays inert in it (trace records no rwshim process). On an mmap'd page: its argv
 * [rwshim, "__exec", mode, path, argv...] and its environment. */
static int spawn_handed_over(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                             const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
        const char *exe = preload_env_saved("RWSHIM_EXE"), *mode = preload_env_saved("RWSHIM_MODE");
        size_t n = 0, ne = 0, k = 0;

        while (argv && argv[n])
                n++;
        while (envp && envp[ne])
                ne++;
        size_t size = (n + 5 + ne + 1) * sizeof(char *);
        char **av = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (av == MAP_FAILED)
                return ENOMEM;
        char **env = av + n + 5;
        av[0] = (char *)exe;
        av[1] = (char *)"__exec";
        av[2] = (char *)mode;
        av[3] = (char *)path;
        for (size_t i = 0; i <= n; i++)
                av[4 + i] = argv ? argv[i] : NULL;
        for (size_t i = 0; i < ne; i++)
                if (strncmp(envp[i], "RWSHIM_MODE=", 12) != 0)
                        env[k++] = envp[i];
        env[k] = NULL;
        int r = REAL(posix_spawn)(pid, exe, fa, attr, av, env);
        munmap(av, size);
        return r;
}

/* Both spawns: probe is the file that will run, path what to pass on. */
static int spawn_with(pid_t *pid, const char *path, const char *probe, int search,
                      const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
                      char *const argv[], char *const envp[])
{
        struct preload_env env;
        enum rw_exec_kind kind = kind_of(probe);
        int r;

        preload_env_fix(envp, kind, probe ? probe : path, &env);
        if (rw_exec_kind_supervised(kind) && preload_env_saved(RW_NOTIFY_ENV) && preload_env_saved("RWSHIM_EXE") &&
            preload_env_saved("RWSHIM_MODE") &&
            (preload_engine.mode == RW_MODE_RUN || preload_engine.mode == RW_MODE_TRACE))
                r = spawn_handed_over(pid, probe, fa, attr, argv, env.envp);
        else if (search)
                r = REAL(posix_spawnp)(pid, path, fa, attr, argv, env.envp);
        else
                r = REAL(posix_spawn)(pid, path, fa, attr, argv, env.envp);
        preload_env_release(&env);
        return r;
}

PRELOAD_API int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                            const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
        char buf[PATH_MAX];

        if (preload_engine.mode == RW_MODE_OFF)
                return REAL(posix_spawn)(pid, path, fa, attr, argv, envp);
        const char *real = exec_path(path, buf);
        return spawn_with(pid, real, real, 0, fa, attr, argv, envp);
}

PRELOAD_API int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                             const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
        char found[PATH_MAX];

        if (preload_engine.mode == RW_MODE_OFF)
                return REAL(posix_spawnp)(pid, file, fa, attr, argv, envp);
        const char *probe = search_path(file, found);
        char mapped[PATH_MAX];
        const char *real = strchr(probe, '/') ? exec_path(probe, mapped) : probe;
        if (real != probe)   /* found in the upper: glibc's own search would not see it */
                return spawn_with(pid, real, real, 0, fa, attr, argv, envp);
        return spawn_with(pid, file, strchr(probe, '/') ? probe : NULL, 1, fa, attr, argv, envp);
}

/* system() and popen() spawn /bin/sh with environ through glibc internals: make sure environ
 * still carries the preload first. */
static void restore_environ(void)
{
        struct preload_env env;

        preload_env_fix(environ, kind_of("/bin/sh"), "/bin/sh", &env);
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
