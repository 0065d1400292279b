/* Upper dir creation, validation, index rebuild and locking (CLI side). */
#include "core/upper_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/index.h"
#include "core/layer.h"
#include "core/path.h"

static int join(char *out, const char *a, const char *b)
{
        int n = snprintf(out, PATH_MAX, "%s/%s", a, b);
        return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static int mkdir_p(const char *path, mode_t last_mode)
{
        char buf[PATH_MAX];
        size_t n = strlen(path);

        if (n + 1 > sizeof(buf))
                return -ENAMETOOLONG;
        memcpy(buf, path, n + 1);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *p = '/';
        }
        if (mkdir(buf, last_mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

static int in_shared_dir(const char *dir)
{
        return rw_path_in_list(dir, "/tmp:/dev/shm:/var/tmp");
}

static int read_version(const char *dir, int *ret)
{
        char path[PATH_MAX], buf[32];
        RW_AUTOCLOSE int fd = -1;
        ssize_t n;

        if (join(path, dir, ".rwshim/version") < 0)
                return -ENAMETOOLONG;
        /* O_NONBLOCK and S_ISREG: a FIFO or device put there must not block the run. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return -EINVAL;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return -EINVAL;
        buf[n] = '\0';
        *ret = atoi(buf);
        return *ret > 0 ? 0 : -EINVAL;
}

/* An existing directory that is not an upper must be empty: never adopt a user's data dir. */
static int is_empty_dir(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        int empty = 1;

        if (!d)
                return 0;
        while ((e = readdir(d)) != NULL)
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                        empty = 0;
                        break;
                }
        closedir(d);
        return empty;
}

static int check_dir(const char *dir, int created, struct rw_err *e)
{
        struct stat st;
        int version;

        if (lstat(dir, &st) < 0)
                return rw_err_set(e, errno, "cannot use upper dir", dir);
        if (S_ISLNK(st.st_mode))
                return rw_err_set(e, ELOOP, "upper dir is a symlink", dir);
        if (!S_ISDIR(st.st_mode))
                return rw_err_set(e, ENOTDIR, "upper dir is not a directory", dir);
        if (st.st_uid != geteuid()) {
                rw_err_set(e, EPERM, "upper dir is owned by another user", dir);
                return rw_err_hint(e, "choose another --upper; an upper must belong to the user running rwshim");
        }
        if (in_shared_dir(dir) && (st.st_mode & 077)) {
                rw_err_set(e, EPERM, "upper dir in a shared directory is open to other users", dir);
                return rw_err_hint(e, "chmod 0700 it, or choose another --upper");
        }
        if (access(dir, W_OK | X_OK) < 0)
                return rw_err_set(e, errno, "upper dir is not writable", dir);
        int r = read_version(dir, &version);
        if (r == 0 && version > RW_UPPER_FORMAT) {
                rw_err_set(e, 0, "upper dir has a newer format version", dir);
                return rw_err_hint(e, "it was written by a newer rwshim (format %d; this one reads %d)",
                                   version, RW_UPPER_FORMAT);
        }
        if (r < 0 && !created && !is_empty_dir(dir)) {
                rw_err_set(e, 0, "not an rwshim upper dir and not empty", dir);
                return rw_err_hint(e, "give --upper a new or empty directory");
        }
        return 0;
}

static int write_version(const char *dir, struct rw_err *e)
{
        char path[PATH_MAX], tmp[PATH_MAX];
        RW_AUTOCLOSE int fd = -1;

        if (join(path, dir, ".rwshim/version") < 0 || join(tmp, dir, ".rwshim/version.tmp") < 0)
                return rw_err_set(e, ENAMETOOLONG, "upper dir path", dir);
        if (access(path, F_OK) == 0)
                return 0;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 || dprintf(fd, "%d\n", RW_UPPER_FORMAT) < 0 || fsync(fd) < 0 || rename(tmp, path) < 0)
                return rw_err_set(e, errno, "write upper format version", path);
        return 0;
}

static struct rw_index *rebuild_target;
static size_t rebuild_skip;

/* nftw callback: every object under fs/ goes back into the index, whiteouts as the path they
 * hide, opaque markers as opaque dirs. */
static int rebuild_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        char virt[PATH_MAX];
        const char *name = path + ftw->base;

        (void)st;
        (void)type;
        if (strlen(path) <= rebuild_skip)
                return 0;
        snprintf(virt, sizeof(virt), "%s", path + rebuild_skip);
        if (strcmp(name, RW_OPAQUE_NAME) == 0) {
                virt[strlen(virt) - strlen(name) - 1] = '\0';
                rw_index_add_opaque(rebuild_target, virt[0] ? virt : "/");
        } else if (strncmp(name, RW_WHITEOUT_PREFIX, 4) == 0) {
                size_t dirlen = strlen(virt) - strlen(name);
                memmove(virt + dirlen, virt + dirlen + 4, strlen(virt + dirlen + 4) + 1);
                rw_index_add(rebuild_target, virt);
        } else {
                rw_index_add(rebuild_target, virt);
        }
        return 0;
}

static int create_index(const char *dir, struct rw_err *e)
{
        char path[PATH_MAX], fs[PATH_MAX];
        RW_AUTOCLOSE int fd = -1;
        struct stat st;
        void *map;

        if (join(path, dir, ".rwshim/index") < 0 || join(fs, dir, "fs") < 0)
                return rw_err_set(e, ENAMETOOLONG, "upper dir path", dir);
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 || fstat(fd, &st) < 0)
                return rw_err_set(e, errno, "open upper index", path);
        /* Any other size is damage (a truncated copy, a torn write): even with an intact
         * header its table is not this upper's, so it is rebuilt, not trusted. */
        int damaged = (size_t)st.st_size != rw_index_file_size();
        if (damaged && ftruncate(fd, (off_t)rw_index_file_size()) < 0)
                return rw_err_set(e, errno, "size upper index", path);
        map = mmap(NULL, rw_index_file_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED)
                return rw_err_set(e, errno, "map upper index", path);
        if (damaged || rw_index_validate(map, rw_index_file_size()) < 0) {
                /* New or damaged: the index is derived from fs/, so rebuild it. */
                memset(map, 0, rw_index_file_size());
                rw_index_init(map);
                rebuild_target = map;
                rebuild_skip = strlen(fs);
                nftw(fs, rebuild_one, 32, FTW_PHYS);
        }
        munmap(map, rw_index_file_size());
        return 0;
}

static int make_layout(const char *dir, struct rw_err *e)
{
        static const char *const subdirs[] = { "fs", ".rwshim", ".rwshim/tmp" };
        char path[PATH_MAX];

        for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
                if (join(path, dir, subdirs[i]) < 0)
                        return rw_err_set(e, ENAMETOOLONG, "upper dir path", dir);
                if (mkdir(path, i == 0 ? 0755 : 0700) < 0 && errno != EEXIST)
                        return rw_err_set(e, errno, "create upper layout", path);
        }
        int r = write_version(dir, e);
        return r < 0 ? r : create_index(dir, e);
}

static int take_lock(const char *dir, int *ret_fd, struct rw_err *e)
{
        char path[PATH_MAX];
        RW_AUTOCLOSE int fd = -1;

        if (join(path, dir, ".rwshim/lock") < 0)
                return rw_err_set(e, ENAMETOOLONG, "upper dir path", dir);
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return rw_err_set(e, errno, "open upper lock", path);
        if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
                rw_err_set(e, errno, "upper dir is locked for maintenance", dir);
                return rw_err_hint(e, "another rwshim holds it exclusively; retry when it is done");
        }
        *ret_fd = rw_take_fd(&fd);
        return 0;
}

int rw_upper_prepare(const char *dir, int *ret_lock_fd, struct rw_err *e)
{
        struct stat st;
        int created = 0, r;

        if (dir[0] != '/')
                return rw_err_set(e, EINVAL, "upper dir must be an absolute path", dir);
        if (lstat(dir, &st) < 0) {
                if (errno != ENOENT)
                        return rw_err_set(e, errno, "cannot use upper dir", dir);
                r = mkdir_p(dir, 0700);
                if (r < 0)
                        return rw_err_set(e, -r, "cannot create upper dir", dir);
                created = 1;
        }
        r = check_dir(dir, created, e);
        if (r < 0)
                return r;
        r = make_layout(dir, e);
        return r < 0 ? r : take_lock(dir, ret_lock_fd, e);
}

int rw_upper_check_existing(const char *dir, struct rw_err *e)
{
        struct stat st;
        int version;

        if (stat(dir, &st) < 0)
                return rw_err_set(e, errno, "cannot read upper dir", dir);
        if (!S_ISDIR(st.st_mode))
                return rw_err_set(e, ENOTDIR, "upper dir is not a directory", dir);
        if (read_version(dir, &version) < 0) {
                rw_err_set(e, 0, "not an rwshim upper dir", dir);
                return rw_err_hint(e, "no .rwshim/version in it; give the --upper a run used");
        }
        if (version > RW_UPPER_FORMAT)
                return rw_err_set(e, 0, "upper dir has a newer format version", dir);
        return 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        if (type == FTW_DP)
                rmdir(path);
        else
                unlink(path);
        return 0;
}

void rw_upper_remove_tree(const char *dir)
{
        nftw(dir, remove_one, 32, FTW_DEPTH | FTW_PHYS);
}
