/* Removing an upper dir tree (CLI side; not preload-safe): the --memory upper at exit, and
 * --memory uppers of runs that were killed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/upper_dir.h"

#define MAX_DEPTH 256

/* Opens the directory name in dir_fd for listing and removing its entries. The program may
 * have left it mode 000 or 0400 (a test suite checking its own cleanup does): the owner may
 * always give itself rwx back, and the directory goes away anyway. */
static int open_dir_for_removal(int dir_fd, const char *name)
{
        int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0 && errno == EACCES && fchmodat(dir_fd, name, 0700, 0) == 0)
                fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0)
                fchmod(fd, 0700);
        return fd;
}

/* Empties the directory fd (taken over) and its subdirectories, depth first. */
static void empty_dir(int fd, int depth)
{
        DIR *d = fdopendir(fd);
        struct dirent *ent;

        if (!d) {
                close(fd);
                return;
        }
        /* Removing entries while reading: rewind until a pass removes nothing new. */
        for (int removed = 1; removed;) {
                removed = 0;
                rewinddir(d);
                while ((ent = readdir(d)) != NULL) {
                        if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
                                continue;
                        if (unlinkat(dirfd(d), ent->d_name, 0) == 0) {
                                removed = 1;
                                continue;
                        }
                        if (errno != EISDIR || depth >= MAX_DEPTH)
                                continue;
                        int sub = open_dir_for_removal(dirfd(d), ent->d_name);
                        if (sub >= 0)
                                empty_dir(sub, depth + 1);
                        if (unlinkat(dirfd(d), ent->d_name, AT_REMOVEDIR) == 0)
                                removed = 1;
                }
        }
        closedir(d);
}

void rw_upper_remove_tree(const char *dir)
{
        int fd = open_dir_for_removal(AT_FDCWD, dir);

        if (fd < 0)
                return;
        empty_dir(fd, 0);
        rmdir(dir);
}
