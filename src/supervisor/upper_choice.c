/* The upper dir policy for `run` (design notes §2). */
#include "supervisor/upper_choice.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/path.h"
#include "core/upper_dir.h"

static int absolute(const char *arg, char *out, size_t size)
{
        char cwd[PATH_MAX];

        if (arg[0] != '/' && !getcwd(cwd, sizeof(cwd)))
                return -errno;
        return rw_path_normalize(arg[0] == '/' ? NULL : cwd, arg, out, size);
}

/* Under an outer `rwshim run` our own libc calls are redirected too; an upper that exists only
 * in the outer upper would be invisible to the kernel calls of our preload. The raw syscall
 * sees the real filesystem: refuse when it disagrees with libc. */
static int redirected_by_outer_run(const char *path)
{
        char probe[PATH_MAX];
        struct stat st;

        if (!getenv("RWSHIM_MODE"))
                return 0;
        snprintf(probe, sizeof(probe), "%s", path);
        for (;;) {
                int libc_sees = stat(probe, &st) == 0;
                int kernel_sees = syscall(SYS_newfstatat, AT_FDCWD, probe, &st, 0) == 0;

                if (libc_sees != kernel_sees)
                        return 1;
                if (kernel_sees || strcmp(probe, "/") == 0)
                        return 0;
                char *slash = strrchr(probe, '/');
                if (slash == probe)
                        slash[1] = '\0';
                else
                        *slash = '\0';
        }
}

static int prepare_at(const char *path, const char *only, struct sup_upper *out, struct rw_err *e)
{
        if (only && *only && rw_path_in_list(path, only)) {
                rw_err_set(e, EINVAL, "upper dir lies inside a directory being redirected", path);
                return rw_err_hint(e, "put the upper outside the --only trees");
        }
        if (redirected_by_outer_run(path)) {
                rw_err_set(e, EXDEV, "upper dir lies inside a directory being redirected", path);
                return rw_err_hint(e, "an outer rwshim run redirects it; choose a really writable --upper");
        }
        if (snprintf(out->path, sizeof(out->path), "%s", path) >= (int)sizeof(out->path))
                return rw_err_set(e, ENAMETOOLONG, "upper dir path", path);
        int r = rw_upper_prepare(out->path, &out->lock_fd, e);
        char real[PATH_MAX];
        /* The preload's one-call upper walk refuses symlinks: give it the canonical path. */
        if (r == 0 && realpath(out->path, real) && strlen(real) < sizeof(out->path))
                strcpy(out->path, real);
        return r;
}

/* A --memory upper named rwshim-<uid>-memory.<pid>.XXXXXX in base whose run is gone: its pid is
 * dead and nobody holds its run lock. A kill -9 of rwshim leaves one behind, in RAM; the next
 * --memory run of the user removes it. A live run is never touched: its pid exists (or, in
 * another pid namespace sharing /dev/shm, its lock is held once it has started). */
static int is_stale_memory_upper(int base_fd, const char *name, const char *prefix)
{
        char lock[NAME_MAX + 32];
        struct stat st;
        char *end;
        long pid = strtol(name + strlen(prefix), &end, 10);

        if (pid <= 0 || *end != '.' || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
                return 0;
        if (fstatat(base_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
                return 0;
        snprintf(lock, sizeof(lock), "%s/.rwshim/lock", name);
        int fd = openat(base_fd, lock, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT;
        int free_lock = flock(fd, LOCK_EX | LOCK_NB) == 0;
        close(fd);
        return free_lock;
}

static void remove_stale_memory_uppers(const char *base)
{
        char prefix[64], path[PATH_MAX];
        int fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd < 0 ? NULL : fdopendir(fd);
        struct dirent *ent;

        if (!d) {
                if (fd >= 0)
                        close(fd);
                return;
        }
        snprintf(prefix, sizeof(prefix), "rwshim-%u-memory.", (unsigned)geteuid());
        while ((ent = readdir(d)) != NULL)
                if (strncmp(ent->d_name, prefix, strlen(prefix)) == 0 &&
                    is_stale_memory_upper(dirfd(d), ent->d_name, prefix) &&
                    snprintf(path, sizeof(path), "%s/%s", base, ent->d_name) < (int)sizeof(path))
                        rw_upper_remove_tree(path);
        closedir(d);
}

/* --memory: a fresh directory made by mkdtemp (mode 0700, a name nobody else holds) directly in
 * /dev/shm, so removing it at exit leaves nothing behind; it is not /dev/shm/rwshim-<uid>, which
 * the default chain may use as a persistent upper. */
static int prepare_memory(const char *only, struct sup_upper *out, struct rw_err *e)
{
        static const char *const bases[] = { "/dev/shm", "/tmp" };
        char tmpl[PATH_MAX];
        int saved = EACCES;

        for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
                if (redirected_by_outer_run(bases[i])) {
                        saved = EXDEV;
                        continue;
                }
                remove_stale_memory_uppers(bases[i]);
                snprintf(tmpl, sizeof(tmpl), "%s/rwshim-%u-memory.%d.XXXXXX", bases[i], (unsigned)geteuid(),
                         (int)getpid());
                if (!mkdtemp(tmpl)) {
                        saved = errno;
                        continue;
                }
                out->in_memory = 1;
                out->why = i == 0 ? "--memory (RAM, /dev/shm)" : "--memory (/tmp: /dev/shm unusable)";
                int r = prepare_at(tmpl, only, out, e);
                if (r < 0)
                        rw_upper_remove_tree(tmpl);
                return r;
        }
        return rw_err_set(e, saved, "no place for an in-memory upper", "/dev/shm");
}

int sup_choose_upper(const char *arg, int memory, const char *only, struct sup_upper *out, struct rw_err *e)
{
        char abs[PATH_MAX], candidate[PATH_MAX];
        const char *env = getenv("RWSHIM_UPPER"), *home = getenv("HOME"), *xdg = getenv("XDG_STATE_HOME");
        struct rw_err first = { 0 };

        memset(out, 0, sizeof(*out));
        out->lock_fd = -1;
        if (memory)
                return prepare_memory(only, out, e);
        if (!arg && env && *env) {
                arg = env;
                out->why = "$RWSHIM_UPPER";
        }
        if (arg) {
                if (absolute(arg, abs, sizeof(abs)) < 0)
                        return rw_err_set(e, ENAMETOOLONG, "bad upper dir path", arg);
                out->why = out->why ? out->why : "--upper";
                return prepare_at(abs, only, out, e);
        }
        const char *chain[4][2] = {
                { xdg, "/rwshim" }, { home, "/.local/state/rwshim" }, { "/tmp", "/rwshim-" }, { "/dev/shm", "/rwshim-" },
        };
        static const char *const why[] = { "$XDG_STATE_HOME/rwshim", "$HOME/.local/state/rwshim",
                                           "/tmp/rwshim-<uid>", "/dev/shm/rwshim-<uid>" };
        for (int i = 0; i < 4; i++) {
                if (!chain[i][0] || chain[i][0][0] != '/')
                        continue;
                if (i >= 2)
                        snprintf(candidate, sizeof(candidate), "%s%s%u", chain[i][0], chain[i][1], (unsigned)geteuid());
                else
                        snprintf(candidate, sizeof(candidate), "%s%s", chain[i][0], chain[i][1]);
                if (rw_path_normalize(NULL, candidate, abs, sizeof(abs)) < 0)
                        continue;
                struct rw_err attempt = { 0 };
                if (prepare_at(abs, only, out, &attempt) == 0) {
                        out->why = why[i];
                        return 0;
                }
                if (!first.op)
                        first = attempt;
        }
        *e = first.op ? first : *e;
        if (!first.op)
                rw_err_set(e, EACCES, "no writable place for the upper dir", "/tmp");
        return -EACCES;
}

void sup_release_upper(struct sup_upper *u)
{
        if (u->lock_fd >= 0)
                close(u->lock_fd);
        u->lock_fd = -1;
        if (u->in_memory)
                rw_upper_remove_tree(u->path);
}
