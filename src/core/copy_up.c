/* Atomic copy-up into the upper (preload-safe); see copy_up.h. */
#include "core/copy_up.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "core/path.h"
#include "core/sys.h"

static _Atomic unsigned copy_counter;

/* Writes ".cu.<pid>.<n>" into buf: unique per process and call. */
static void temp_name(char *buf)
{
        unsigned long v[2] = { (unsigned long)RW_SYSCALL(SYS_getpid), atomic_fetch_add(&copy_counter, 1) };
        char *p = buf;

        memcpy(p, ".cu", 3);
        p += 3;
        for (int i = 0; i < 2; i++) {
                char tmp[24];
                int n = 0;

                *p++ = '.';
                do {
                        tmp[n++] = (char)('0' + v[i] % 10);
                        v[i] /= 10;
                } while (v[i]);
                while (n)
                        *p++ = tmp[--n];
        }
        *p = '\0';
}

static int copy_data(int in, int out)
{
        char buf[16384];

        for (;;) {
                ssize_t n = rw_copy_file_range(in, out, 1 << 30);

                if (n == 0)
                        return 0;
                if (n > 0)
                        continue;
                if (n != -EXDEV && n != -ENOSYS && n != -EINVAL && n != -EOPNOTSUPP)
                        return (int)n;
                break;  /* no in-kernel copy across these filesystems: copy by hand */
        }
        for (;;) {
                ssize_t n = rw_read(in, buf, sizeof(buf));

                if (n == -EINTR)
                        continue;
                if (n <= 0)
                        return (int)n;
                for (ssize_t done = 0; done < n;) {
                        ssize_t w = rw_write(out, buf + done, (size_t)(n - done));
                        if (w == -EINTR)
                                continue;
                        if (w < 0)
                                return (int)w;
                        done += w;
                }
        }
}

/* Creates the temp copy of a regular file; returns its fd, name in tmp_name. */
static int make_temp_copy(const struct rw_upper *u, int tmpdir, const char *abs, const struct stat *st,
                          int with_data, char *tmp_name)
{
        int in = -1, out, r = 0;

        (void)u;
        if (with_data) {
                in = rw_openat(AT_FDCWD, abs, O_RDONLY | O_NOFOLLOW, 0);
                if (in < 0)
                        return in;
        }
        temp_name(tmp_name);
        out = rw_openat(tmpdir, tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
        if (out < 0) {
                if (in >= 0)
                        rw_close(in);
                return out;
        }
        if (with_data)
                r = copy_data(in, out);
        if (in >= 0)
                rw_close(in);
        if (r == 0)
                r = rw_fchmod(out, st->st_mode & 07777);
        if (r == 0) {
                struct timespec ts[2] = { st->st_atim, st->st_mtim };
                r = rw_utimensat(out, NULL, ts, 0);
        }
        if (r == 0)
                r = rw_fsync(out);
        if (r < 0) {
                rw_close(out);
                rw_unlinkat(tmpdir, tmp_name, 0);
                return r;
        }
        return out;
}

static int copy_up_file(const struct rw_upper *u, int parent, const char *name, const char *abs,
                        const struct stat *st, int with_data)
{
        char tmp_name[64];
        int tmpdir = rw_openat(AT_FDCWD, u->tmp, O_PATH | O_DIRECTORY, 0);
        int fd, r;

        if (tmpdir < 0)
                return tmpdir;
        fd = make_temp_copy(u, tmpdir, abs, st, with_data, tmp_name);
        if (fd < 0) {
                rw_close(tmpdir);
                return fd;
        }
        rw_close(fd);
        r = rw_renameat2(tmpdir, tmp_name, parent, name, RENAME_NOREPLACE);
        if (r < 0)
                rw_unlinkat(tmpdir, tmp_name, 0);
        rw_close(tmpdir);
        return r == -EEXIST ? 0 : r;   /* EEXIST: a concurrent copy-up won; use it */
}

int rw_copy_up(const struct rw_upper *u, const char *abs, int with_data)
{
        char parent_path[PATH_MAX], target[PATH_MAX];
        const char *name;
        struct stat st;
        int parent, r;

        r = rw_fstatat(AT_FDCWD, abs, &st, AT_SYMLINK_NOFOLLOW);
        if (r < 0)
                return r;
        r = rw_path_split(abs, parent_path, sizeof(parent_path), &name);
        if (r < 0)
                return r;
        parent = rw_upper_mkdirs(u, parent_path);
        if (parent < 0)
                return parent;
        if (S_ISREG(st.st_mode)) {
                r = copy_up_file(u, parent, name, abs, &st, with_data);
        } else if (S_ISDIR(st.st_mode)) {
                r = rw_mkdirat(parent, name, (st.st_mode & 07777) | S_IRWXU);
                r = r == -EEXIST ? 0 : r;
        } else if (S_ISLNK(st.st_mode)) {
                ssize_t n = rw_readlinkat(AT_FDCWD, abs, target, sizeof(target) - 1);
                r = n < 0 ? (int)n : 0;
                if (r == 0) {
                        target[n] = '\0';
                        r = rw_symlinkat(target, parent, name);
                        r = r == -EEXIST ? 0 : r;
                }
        } else {
                r = -EPERM;
        }
        rw_close(parent);
        return r;
}
