/* Attaching to a prepared upper dir (preload-safe); see upper_attach.h. */
#include "core/upper_attach.h"

#include <string.h>
#include <sys/mman.h>

#include "core/sys.h"

static int build_path(char *dst, const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);

        if (la + lb + 1 > PATH_MAX)
                return -ENAMETOOLONG;
        memcpy(dst, a, la);
        memcpy(dst + la, b, lb + 1);
        return 0;
}

/* Maps UPPER/.rwshim/index shared; the supervisor created it. */
static int map_index(struct rw_upper *u)
{
        char path[PATH_MAX];
        struct stat st;
        void *p;
        int fd, r = build_path(path, u->root, "/.rwshim/index");

        if (r < 0)
                return r;
        fd = rw_openat(AT_FDCWD, path, O_RDWR | O_NOFOLLOW, 0);
        if (fd < 0)
                return fd;
        if (RW_SYSCALL(SYS_fstat, fd, &st) < 0 || (size_t)st.st_size < rw_index_file_size()) {
                rw_close(fd);
                return -EINVAL;
        }
        p = mmap(NULL, rw_index_file_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        rw_close(fd);
        if (p == MAP_FAILED)
                return -ENOMEM;
        if (rw_index_validate(p, rw_index_file_size()) < 0) {
                munmap(p, rw_index_file_size());
                return -EINVAL;
        }
        u->index = p;
        return 0;
}

int rw_upper_attach(struct rw_upper *u, const char *root)
{
        int r;

        if (root[0] != '/')
                return -EINVAL;
        if ((r = build_path(u->root, root, "")) < 0 || (r = build_path(u->fs, u->root, "/fs")) < 0 ||
            (r = build_path(u->tmp, u->root, "/.rwshim/tmp")) < 0)
                return r;
        u->fs_len = strlen(u->fs);
        return map_index(u);
}
