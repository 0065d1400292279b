/* core/advice: the inferred fix for a refused write never mounts over a directory that holds
 * files, on a scratch tree made here. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/advice.h"
#include "tap.h"

static char root[256];

static const char *at(const char *rel)
{
        static char buf[4][PATH_MAX];
        static int next;
        char *b = buf[next++ % 4];

        snprintf(b, PATH_MAX, "%s/%s", root, rel);
        return b;
}

static void touch(const char *path)
{
        FILE *f = fopen(path, "w");

        if (f)
                fclose(f);
}

static void check(const char *what, const char *path, int creates_dir, int replaces, int fixed_name,
                  enum rw_fix_kind kind, const char *want)
{
        struct rw_fix f;

        ok(rw_fix_infer(path, creates_dir, replaces, fixed_name, &f) == 0 && f.kind == kind, "%s: %s", what,
           rw_fix_kind_name(kind));
        is_str(f.path, want, "%s: where", what);
        is_str(f.source, "inferred", "%s: source", what);
}

int main(void)
{
        struct rw_fix f;
        char cmd[PATH_MAX + 16];

        snprintf(root, sizeof(root), "%s/rwshim-advice-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(root))
                return perror("mkdtemp"), 1;
        mkdir(at("pkg"), 0755);
        mkdir(at("pkg/prompts"), 0755);
        touch(at("pkg/prompts/t.j2"));
        mkdir(at("empty"), 0755);
        mkdir(at("full"), 0755);
        touch(at("full/conf"));

        check("mkdir in a dir with files", at("pkg/prompts/.cache"), 1, 0, 1, RW_FIX_MOUNT, at("pkg/prompts/.cache"));
        check("file under missing dirs", at("pkg/new/deeper/f"), 0, 0, 1, RW_FIX_MOUNT, at("pkg/new"));
        check("file in an empty dir", at("empty/f"), 0, 0, 1, RW_FIX_MOUNT, at("empty"));
        check("existing file in a dir with files", at("full/conf"), 0, 0, 0, RW_FIX_FILE_MOUNT, at("full/conf"));
        check("new fixed name in a dir with files", at("full/state.json"), 0, 0, 1, RW_FIX_FILE_MOUNT,
              at("full/state.json"));
        check("temp name in a dir with files", at("full/tmpab12"), 0, 0, 0, RW_FIX_RWSHIM_RUN, at("full/tmpab12"));
        check("rename into a dir with files", at("full/conf"), 0, 1, 0, RW_FIX_RWSHIM_RUN, at("full/conf"));
        check("a file directly in /", "/rwshim-advice-no-such-file", 0, 0, 1, RW_FIX_FILE_MOUNT,
              "/rwshim-advice-no-such-file");
        ok(rw_fix_infer("relative/x", 0, 0, 1, &f) < 0, "a relative path: -EINVAL");
        rw_fix_knob("MPLCONFIGDIR", "matplotlib", 1, &f);
        ok(f.kind == RW_FIX_KNOB && strcmp(f.value, RW_FIX_CACHE_ROOT "/matplotlib") == 0 &&
           strcmp(f.path, f.value) == 0 && strcmp(f.source, "kb") == 0, "knob: its own dir under the cache root");
        rw_fix_knob("PGDATA", "postgresql", 0, &f);
        is_str(f.value, RW_FIX_STATE_ROOT "/postgresql", "knob for state: under the state root");
        is_int(rw_dir_is_empty(at("empty")), 1, "empty dir");
        is_int(rw_dir_is_empty(at("full")), 0, "dir with a file");
        ok(rw_dir_is_empty(at("none")) < 0, "missing dir: -errno");
        is_str(rw_fix_kind_name(RW_FIX_FILE_MOUNT), "file-mount", "kind names");
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        if (system(cmd) != 0)
                fprintf(stderr, "# could not remove %s\n", root);
        return tap_done();
}
