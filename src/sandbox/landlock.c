/* Landlock backend of `rwshim check`; see landlock.h and docs/check.md. */
#include "sandbox/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"

/* Rights newer than the uapi header this may be built against (ABI 3: truncate). */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

#define WRITE_RIGHTS_ABI1 (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | \
        LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | \
        LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | \
        LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM)
/* The only rights a rule on a non-directory may carry. */
#define FILE_RIGHTS (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)

/* Docker's --read-only and Kubernetes' readOnlyRootFilesystem leave these writable too: /dev is a
 * tmpfs with the devices, /dev/shm a tmpfs, /proc the kernel's. Missing ones are skipped. */
const char *const sandbox_default_writable[] = {
        "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
        "/dev/ptmx", "/dev/pts", "/dev/shm", "/proc", NULL,
};

int sandbox_landlock_abi(void)
{
        static int cached;

        if (cached == 0) {
                long r = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
                cached = r < 0 ? -errno : (int)r;
        }
        return cached;
}

/* Degrades ABI by ABI: ABI 1 has no REFER (cross-directory renames are always refused with EXDEV),
 * ABI 2 no TRUNCATE (truncate(2) of a file outside the writable set goes unseen). */
static unsigned long long handled_rights(int abi)
{
        unsigned long long r = WRITE_RIGHTS_ABI1;

        if (abi >= 2)
                r |= LANDLOCK_ACCESS_FS_REFER;
        if (abi >= 3)
                r |= LANDLOCK_ACCESS_FS_TRUNCATE;
        return r;
}

static int unavailable(struct rw_err *e, int err)
{
        rw_err_set(e, err, "Landlock unavailable", "");
        if (err == EOPNOTSUPP)
                return rw_err_hint(e, "Landlock is built in but disabled at boot: add 'landlock' to the "
                                   "lsm= kernel parameter, or use --backend userns");
        return rw_err_hint(e, "this kernel lacks Landlock (Linux >= 5.13) or a seccomp profile blocks "
                           "landlock_create_ruleset; try --backend userns");
}

static int add_rule_fd(const struct sandbox_landlock *ll, int fd, const char *path, struct rw_err *e)
{
        struct landlock_path_beneath_attr rule = { .parent_fd = fd, .allowed_access = ll->handled };
        struct stat st;

        if (fstat(fd, &st) < 0)
                return rw_err_set(e, errno, "stat writable path", path);
        if (!S_ISDIR(st.st_mode))
                rule.allowed_access &= FILE_RIGHTS;
        if (syscall(SYS_landlock_add_rule, ll->ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
                return rw_err_set(e, errno, "add Landlock rule", path);
        return 0;
}

static int add_rule_path(const struct sandbox_landlock *ll, const char *path, int optional,
                         struct rw_err *e)
{
        RW_AUTOCLOSE int fd = open(path, O_PATH | O_CLOEXEC);

        if (fd < 0)
                return optional ? 0 : rw_err_set(e, errno, "open writable path", path);
        return add_rule_fd(ll, fd, path, e);
}

int sandbox_landlock_prepare(struct sandbox_landlock *ll, const char *const *writable, size_t n,
                             int extra_fd, struct rw_err *e)
{
        struct landlock_ruleset_attr attr = { 0 };
        int r;

        ll->ruleset_fd = -1;
        ll->abi = sandbox_landlock_abi();
        if (ll->abi < 0)
                return unavailable(e, -ll->abi);
        ll->handled = handled_rights(ll->abi);
        attr.handled_access_fs = ll->handled;
        r = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
        if (r < 0)
                return rw_err_set(e, errno, "create Landlock ruleset", "");
        ll->ruleset_fd = r;
        for (size_t i = 0; i < n; i++)
                if ((r = add_rule_path(ll, writable[i], 0, e)) < 0)
                        return r;
        for (size_t i = 0; sandbox_default_writable[i]; i++)
                if ((r = add_rule_path(ll, sandbox_default_writable[i], 1, e)) < 0)
                        return r;
        /* A memfd lives on an internal mount that Landlock neither accepts rules for (EBADFD)
         * nor restricts; a temp event file needs its rule. */
        if (extra_fd >= 0 && (r = add_rule_fd(ll, extra_fd, "event file", e)) < 0 && r != -EBADFD)
                return r;
        return 0;
}

int sandbox_landlock_allow_file(struct sandbox_landlock *ll, int fd, const char *what, struct rw_err *e)
{
        int r = add_rule_fd(ll, fd, what, e);

        return r == -EBADFD ? 0 : r;
}

int sandbox_landlock_apply(void *ctx, struct rw_err *e)
{
        const struct sandbox_landlock *ll = ctx;

        /* Required for an unprivileged restrict_self; also keeps setuid programs from escaping. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return rw_err_set(e, errno, "set no_new_privs", "");
        if (syscall(SYS_landlock_restrict_self, ll->ruleset_fd, 0) < 0)
                return rw_err_set(e, errno, "apply Landlock ruleset", "");
        return 0;
}

void sandbox_landlock_close(struct sandbox_landlock *ll)
{
        if (ll->ruleset_fd >= 0)
                close(ll->ruleset_fd);
        ll->ruleset_fd = -1;
}
