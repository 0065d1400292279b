/* Redirect policy shared by every operation (preload-safe). */
#include "core/engine.h"

#include <string.h>

#include "core/path.h"

/* Pseudo filesystems and device nodes are never redirected: their contents are not files.
 * /dev/shm is the exception: a plain tmpfs of files (POSIX shared memory, semaphores). */
static const char *const never_redirected = "/proc:/sys:/dev";
static const char *const redirected_anyway = "/dev/shm";

int rw_engine_may_redirect(const struct rw_engine *e, const char *abs)
{
        if (e->mode != RW_MODE_RUN)
                return 0;
        if (rw_path_in_list(abs, never_redirected) && !rw_path_in_list(abs, redirected_anyway))
                return 0;
        if (rw_path_is_under(abs, e->upper.root))
                return 0;       /* the upper is ours; a write there that fails is real */
        if (e->exclude[0] && rw_path_in_list(abs, e->exclude))
                return 0;
        if (e->only[0] && !rw_path_in_list(abs, e->only))
                return 0;
        return 1;
}

void rw_engine_register(const struct rw_engine *e, const char *abs, const char *resolved)
{
        if (!e->upper.index)
                return;
        rw_index_add(e->upper.index, resolved);
        if (abs && strcmp(abs, resolved) != 0)
                rw_index_add(e->upper.index, abs);
}
