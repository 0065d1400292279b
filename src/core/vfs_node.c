/* mknod and mkfifo over the merged view: a FIFO or device node is a new name, made by the
 * same code as mkdir and symlink (rw_vfs_new_name) (preload-safe). */
#include "core/vfs.h"

#include "core/sys.h"
#include "core/vfs_common.h"

struct node_args {
        mode_t mode;
        dev_t dev;
};

static int make_node(int dirfd, const char *name, const void *arg)
{
        const struct node_args *a = arg;

        return (int)rw_sysret(RW_SYSCALL(SYS_mknodat, dirfd, name, a->mode, a->dev));
}

int rw_vfs_mknod(const struct rw_engine *e, const char *abs, mode_t mode, dev_t dev)
{
        struct node_args a = { mode, dev };
        struct rw_new_name how = { make_node, NULL, &a };

        return rw_vfs_new_name(e, abs, &how);
}
