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

static int read_version_at(int dir_fd, int *ret)
{
        char buf[32];
        /* O_NONBLOCK and S_ISREG below: a FIFO or device put there must not block the run. */
        RW_AUTOCLOSE int fd = openat(dir_fd, ".rwshim/version", O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        ssize_t n;

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

static int read_version(const char *dir, int *ret)
{
        RW_AUTOCLOSE int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        return fd < 0 ? -errno : read_version_at(fd, ret);
}

/* Calls ok(name) for each entry of the directory dir_fd/sub (not . or ..): 1 when every one is
 * accepted (or there are none), 0 otherwise or when it cannot be read. */
static int only_entries(int dir_fd, const char *sub, int (*ok)(int dir_fd, const char *name))
{
        int fd = openat(dir_fd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d = fd < 0 ? NULL : fdopendir(fd);
        struct dirent *ent;
        int all = 1;

        if (!d) {
                if (fd >= 0)
                        close(fd);
                return 0;
        }
        while (all && (ent = readdir(d)) != NULL)
                if (strcmp(ent->d_name, ".") && strcmp(ent->d_name, ".."))
                        all = ok(dirfd(d), ent->d_name);
        closedir(d);
        return all;
}

static int accept_none(int dir_fd, const char *name)
{
        (void)dir_fd;
        (void)name;
        return 0;
}

/* What a start killed before writing .rwshim/version can leave in .rwshim/ (this rwshim writes
 * the version first; older ones made fs/ and tmp/ before it). */
static int is_start_leftover(int dir_fd, const char *name)
{
        if (strcmp(name, "tmp") == 0)
                return only_entries(dir_fd, name, accept_none);
        return strcmp(name, "index") == 0 || strcmp(name, "index.tmp") == 0 || strcmp(name, "lock") == 0 ||
               strncmp(name, "version.tmp", 11) == 0;
}

static int is_layout_leftover(int dir_fd, const char *name)
{
        if (strcmp(name, "fs") == 0)
                return only_entries(dir_fd, name, accept_none);
        if (strcmp(name, ".rwshim") == 0)
                return only_entries(dir_fd, name, is_start_leftover);
        return 0;
}

/* An existing directory without a format version is adopted only when it holds nothing a user
 * could care about: it is empty, or it holds what an interrupted start of rwshim leaves. Never
 * adopt a user's data dir; never refuse our own half-made upper (a pod killed at start on a
 * persistent volume must not crash-loop). */
static int is_empty_or_unfinished(int dir_fd)
{
        return only_entries(dir_fd, ".", is_layout_leftover);
}

static int check_dir(const char *dir, struct rw_err *e)
{
        struct stat st;

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
        return 0;
}

/* Under the setup lock: is dir_fd an upper of a format we read, or a directory we may make one? */
static int check_format(int dir_fd, const char *dir, struct rw_err *e)
{
        int version, r = read_version_at(dir_fd, &version);

        if (r == 0 && version > RW_UPPER_FORMAT) {
                rw_err_set(e, 0, "upper dir has a newer format version", dir);
                return rw_err_hint(e, "it was written by a newer rwshim (format %d; this one reads %d)",
                                   version, RW_UPPER_FORMAT);
        }
        if (r < 0 && !is_empty_or_unfinished(dir_fd)) {
                rw_err_set(e, 0, "not an rwshim upper dir and not empty", dir);
                return rw_err_hint(e, "give --upper a new or empty directory");
        }
        return 0;
}

/* Writes .rwshim/version through a temp file and rename (callers hold the setup lock, so one
 * temp name is enough), then syncs .rwshim so the name survives a power loss. */
static int write_version(int dir_fd, const char *dir, struct rw_err *e)
{
        RW_AUTOCLOSE int fd = -1;
        RW_AUTOCLOSE int meta_fd = -1;

        if (faccessat(dir_fd, ".rwshim/version", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return 0;
        fd = openat(dir_fd, ".rwshim/version.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 || dprintf(fd, "%d\n", RW_UPPER_FORMAT) < 0 || fsync(fd) < 0 ||
            renameat(dir_fd, ".rwshim/version.tmp", dir_fd, ".rwshim/version") < 0)
                return rw_err_set(e, errno, "write upper format version", dir);
        meta_fd = openat(dir_fd, ".rwshim", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (meta_fd >= 0)
                fsync(meta_fd);
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

/* 1 when .rwshim/index is there, of the right size and format. */
static int index_is_valid(int dir_fd)
{
        RW_AUTOCLOSE int fd = openat(dir_fd, ".rwshim/index", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct stat st;
        void *map;
        int valid;

        if (fd < 0 || fstat(fd, &st) < 0 || (size_t)st.st_size != rw_index_file_size())
                return 0;
        map = mmap(NULL, rw_index_file_size(), PROT_READ, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED)
                return 0;
        valid = rw_index_validate(map, rw_index_file_size()) == 0;
        munmap(map, rw_index_file_size());
        return valid;
}

/* Renames (or, with to NULL, removes) the level files of the index named from, "from.1" ... */
static int move_levels(int dir_fd, const char *from, const char *to)
{
        char a[64], b[64];

        for (unsigned l = 1; l < RW_INDEX_LEVELS; l++) {
                snprintf(a, sizeof(a), "%s.%u", from, l);
                if (!to) {
                        if (unlinkat(dir_fd, a, 0) < 0 && errno != ENOENT)
                                return -errno;
                        continue;
                }
                snprintf(b, sizeof(b), "%s.%u", to, l);
                if (renameat(dir_fd, a, dir_fd, b) < 0 && errno != ENOENT)
                        return -errno;
        }
        return 0;
}

/* A missing or damaged index is derived again from fs/ into index.tmp (and the levels it grows,
 * index.tmp.1 ...), renamed into place only when complete, the levels first: a kill during the
 * rebuild leaves an index that does not validate, never one that validates but misses entries
 * (that would hide files the upper holds). Level files of the old index are removed first;
 * should one survive, its nonce no longer matches and no process reads it. */
static int create_index(int dir_fd, const char *dir, struct rw_err *e)
{
        char fs[PATH_MAX], tmp_path[PATH_MAX];
        RW_AUTOCLOSE int fd = -1;
        struct rw_index *map;
        int r;

        if (index_is_valid(dir_fd))
                return 0;
        if (join(fs, dir, "fs") < 0 || join(tmp_path, dir, ".rwshim/index.tmp") < 0)
                return rw_err_set(e, ENAMETOOLONG, "upper dir path", dir);
        if ((r = move_levels(dir_fd, ".rwshim/index", NULL)) < 0 ||
            (r = move_levels(dir_fd, ".rwshim/index.tmp", NULL)) < 0)
                return rw_err_set(e, -r, "remove old upper index levels", dir);
        fd = openat(dir_fd, ".rwshim/index.tmp", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 || ftruncate(fd, (off_t)rw_index_file_size()) < 0)
                return rw_err_set(e, errno, "create upper index", dir);
        void *init = mmap(NULL, rw_index_file_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (init == MAP_FAILED)
                return rw_err_set(e, errno, "map upper index", dir);
        rw_index_init(init);
        munmap(init, rw_index_file_size());
        if ((r = rw_index_map(tmp_path, &map)) < 0)
                return rw_err_set(e, -r, "map upper index", dir);
        rebuild_target = map;
        rebuild_skip = strlen(fs);
        nftw(fs, rebuild_one, 32, FTW_PHYS);
        rw_index_unmap(map);
        if ((r = move_levels(dir_fd, ".rwshim/index.tmp", ".rwshim/index")) < 0)
                return rw_err_set(e, -r, "install upper index levels", dir);
        if (renameat(dir_fd, ".rwshim/index.tmp", dir_fd, ".rwshim/index") < 0)
                return rw_err_set(e, errno, "install upper index", dir);
        return 0;
}

/* Completes the layout, whatever part of it an interrupted start made: the format version comes
 * first, so any directory holding more than leftovers is recognisably an upper. */
static int make_layout(int dir_fd, const char *dir, struct rw_err *e)
{
        static const char *const subdirs[] = { ".rwshim", "fs", ".rwshim/tmp" };
        static const mode_t modes[] = { 0700, 0755, 0700 };

        for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
                if (mkdirat(dir_fd, subdirs[i], modes[i]) < 0 && errno != EEXIST)
                        return rw_err_set(e, errno, "create upper layout", dir);
                if (i == 0) {
                        int r = write_version(dir_fd, dir, e);
                        if (r < 0)
                                return r;
                }
        }
        return create_index(dir_fd, dir, e);
}

static int take_lock(int dir_fd, const char *dir, int *ret_fd, struct rw_err *e)
{
        RW_AUTOCLOSE int fd = openat(dir_fd, ".rwshim/lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

        if (fd < 0)
                return rw_err_set(e, errno, "open upper lock", dir);
        if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
                rw_err_set(e, errno, "upper dir is locked for maintenance", dir);
                return rw_err_hint(e, "another rwshim holds it exclusively; retry when it is done");
        }
        *ret_fd = rw_take_fd(&fd);
        return 0;
}

/* Runs that start together on one upper take turns here: an exclusive flock on the upper dir
 * itself (it exists before any of our files) serialises checking and completing the layout, and
 * dies with a killed process. Runs already going hold only .rwshim/lock shared, so a new run
 * never waits for them. */
int rw_upper_prepare(const char *dir, int *ret_lock_fd, struct rw_err *e)
{
        RW_AUTOCLOSE int dir_fd = -1;
        struct stat st;
        int r;

        if (dir[0] != '/')
                return rw_err_set(e, EINVAL, "upper dir must be an absolute path", dir);
        if (lstat(dir, &st) < 0) {
                if (errno != ENOENT)
                        return rw_err_set(e, errno, "cannot use upper dir", dir);
                r = mkdir_p(dir, 0700);   /* EEXIST from a run starting beside us is fine */
                if (r < 0)
                        return rw_err_set(e, -r, "cannot create upper dir", dir);
        }
        if ((r = check_dir(dir, e)) < 0)
                return r;
        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir_fd < 0)
                return rw_err_set(e, errno, "cannot use upper dir", dir);
        while (flock(dir_fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return rw_err_set(e, errno, "lock upper dir", dir);
        if ((r = check_format(dir_fd, dir, e)) < 0 || (r = make_layout(dir_fd, dir, e)) < 0)
                return r;
        return take_lock(dir_fd, dir, ret_lock_fd, e);
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
