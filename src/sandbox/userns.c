/* userns backend of `rwshim check`; see userns.h and docs/check.md. */
#include "sandbox/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "sandbox/landlock.h"

static int write_file(const char *path, const char *text)
{
        RW_AUTOCLOSE int fd = open(path, O_WRONLY | O_CLOEXEC);
        size_t len = strlen(text);

        if (fd < 0)
                return -errno;
        if (write(fd, text, len) != (ssize_t)len)
                return -errno;
        return 0;
}

/* Maps our own uid and gid to themselves, so file ownership and permission checks inside are
 * exactly those outside; everything else shows as the overflow id (65534). */
static int map_ids(uid_t uid, gid_t gid, struct rw_err *e)
{
        char buf[64];
        int r;

        if ((r = write_file("/proc/self/setgroups", "deny")) < 0 && r != -ENOENT)
                return rw_err_set(e, -r, "write", "/proc/self/setgroups");
        snprintf(buf, sizeof(buf), "%u %u 1", (unsigned)uid, (unsigned)uid);
        if ((r = write_file("/proc/self/uid_map", buf)) < 0)
                return rw_err_set(e, -r, "write", "/proc/self/uid_map");
        snprintf(buf, sizeof(buf), "%u %u 1", (unsigned)gid, (unsigned)gid);
        if ((r = write_file("/proc/self/gid_map", buf)) < 0)
                return rw_err_set(e, -r, "write", "/proc/self/gid_map");
        return 0;
}

static int set_rdonly(const char *path, int rdonly)
{
        struct mount_attr attr = { 0 };

        if (rdonly)
                attr.attr_set = MOUNT_ATTR_RDONLY;
        else
                attr.attr_clr = MOUNT_ATTR_RDONLY;
        if (mount_setattr(AT_FDCWD, path, AT_RECURSIVE | AT_NO_AUTOMOUNT, &attr, sizeof(attr)) < 0)
                return -errno;
        return 0;
}

/* Each writable path becomes its own mount (a bind onto itself) before the tree goes read-only,
 * so its read-only flag can then be cleared without touching its parent mount. */
static int bind_self(const char *path, int optional, struct rw_err *e)
{
        if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) == 0)
                return 0;
        if (optional)
                return 0;
        return rw_err_set(e, errno, "bind writable path", path);
}

static int make_writable(const char *path, int optional, struct rw_err *e)
{
        int r = set_rdonly(path, 0);

        if (r == 0 || optional)
                return 0;
        rw_err_set(e, -r, "make writable", path);
        if (r == -EPERM)
                rw_err_hint(e, "the path is on a mount that is already read-only outside rwshim");
        return r;
}

int sandbox_userns_apply(void *ctx, struct rw_err *e)
{
        const struct sandbox_userns *u = ctx;
        const char *const *defaults = sandbox_default_writable;
        int r;

        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
                return rw_err_set(e, errno, "create user and mount namespace", "");
        if ((r = map_ids(u->uid, u->gid, e)) < 0)
                return r;
        /* Nothing we do here may propagate back to the host's mounts. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return rw_err_set(e, errno, "make mounts private", "/");
        for (size_t i = 0; i < u->n; i++)
                if ((r = bind_self(u->writable[i], 0, e)) < 0)
                        return r;
        for (size_t i = 0; defaults[i]; i++)
                bind_self(defaults[i], 1, e);
        if ((r = set_rdonly("/", 1)) < 0)
                return rw_err_set(e, -r, "remount read-only", "/");
        for (size_t i = 0; defaults[i]; i++)
                make_writable(defaults[i], 1, e);
        for (size_t i = 0; i < u->n; i++)
                if ((r = make_writable(u->writable[i], 0, e)) < 0)
                        return r;
        return 0;
}

static int probe_child(void)
{
        struct rw_err ignored;
        struct sandbox_userns u = { .uid = getuid(), .gid = getgid() };

        return sandbox_userns_apply(&u, &ignored) < 0 ? 1 : 0;
}

int sandbox_userns_probe(struct rw_err *e)
{
        int status;
        pid_t pid = fork();

        if (pid < 0)
                return rw_err_set(e, errno, "fork", "");
        if (pid == 0)
                _exit(probe_child());
        if (waitpid(pid, &status, 0) < 0)
                return rw_err_set(e, errno, "wait", "");
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        rw_err_set(e, EPERM, "userns backend unavailable", "");
        return rw_err_hint(e, "unprivileged user namespaces are disabled (sysctl "
                           "kernel.unprivileged_userns_clone, user.max_user_namespaces, AppArmor "
                           "restrict_unprivileged_userns) or blocked by a container's seccomp profile; "
                           "use --backend landlock");
}
