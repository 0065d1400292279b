/* Attaching to a prepared upper dir (preload-safe); see upper_attach.h. */
#include "core/upper_attach.h"

#include <string.h>

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

/* Maps UPPER/.rwshim/index shared (the supervisor created it); its levels map when needed. */
static int map_index(struct rw_upper *u)
{
        char path[PATH_MAX];
        int r = build_path(path, u->root, "/.rwshim/index");

        if (r < 0)
                return r;
        return rw_index_map(path, &u->index);
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
