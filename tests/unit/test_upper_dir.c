/* Unit tests for core/upper_dir.c: which directories become an upper, which are refused, and
 * what an interrupted start leaves behind (each state a kill -9 can leave must be usable). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/index.h"
#include "core/upper_dir.h"
#include "tap.h"

static char base[64];

static const char *at(const char *dir, const char *rel)
{
        static char buf[4][512];
        static int n;
        char *b = buf[n++ % 4];

        snprintf(b, sizeof(buf[0]), "%s/%s%s%s", base, dir, rel[0] ? "/" : "", rel);
        return b;
}

static void make_dir(const char *dir, const char *rel) { mkdir(at(dir, rel), 0700); }

static void make_file(const char *dir, const char *rel, const char *text)
{
        FILE *f = fopen(at(dir, rel), "w");

        if (f) {
                fputs(text, f);
                fclose(f);
        }
}

/* 1 if rw_upper_prepare accepts dir; the upper it leaves must have a version and an index. */
static int prepares(const char *dir)
{
        struct rw_err e = { 0 };
        struct stat st;
        int lock = -1, r = rw_upper_prepare(at(dir, ""), &lock, &e);

        if (r < 0)
                return 0;
        close(lock);
        return stat(at(dir, ".rwshim/version"), &st) == 0 && stat(at(dir, ".rwshim/index"), &st) == 0 &&
               (size_t)st.st_size == rw_index_file_size() && stat(at(dir, "fs"), &st) == 0;
}

static int index_has(const char *dir, const char *path)
{
        int fd = open(at(dir, ".rwshim/index"), O_RDONLY | O_CLOEXEC), r = 0;
        void *map = fd < 0 ? MAP_FAILED : mmap(NULL, rw_index_file_size(), PROT_READ, MAP_SHARED, fd, 0);

        if (map != MAP_FAILED) {
                r = (rw_index_query(map, path) & RW_INDEX_UNDER) != 0;
                munmap(map, rw_index_file_size());
        }
        if (fd >= 0)
                close(fd);
        return r;
}

int main(void)
{
        struct stat st;

        snprintf(base, sizeof(base), "/tmp/rwshim-unit.XXXXXX");
        if (!mkdtemp(base))
                return 1;
        ok(prepares("new"), "a missing dir is created as an upper");
        ok(prepares("new"), "an upper is used again");

        make_dir("empty", "");
        ok(prepares("empty"), "an empty dir is adopted");

        /* What older rwshim starts killed before the version left (issue 12). */
        make_dir("old-leftover", ""); make_dir("old-leftover", "fs"); make_dir("old-leftover", ".rwshim");
        make_dir("old-leftover", ".rwshim/tmp"); make_file("old-leftover", ".rwshim/version.tmp", "");
        ok(prepares("old-leftover"), "fs/, .rwshim/tmp and version.tmp without a version: completed");

        make_dir("meta-leftover", ""); make_dir("meta-leftover", ".rwshim");
        make_file("meta-leftover", ".rwshim/index.tmp", "x"); make_file("meta-leftover", ".rwshim/lock", "");
        ok(prepares("meta-leftover"), "index.tmp and lock without a version: completed");

        make_dir("user-data", ""); make_file("user-data", "notes.txt", "mine");
        ok(!prepares("user-data"), "a dir with a user's file is refused");
        ok(stat(at("user-data", ".rwshim"), &st) < 0, "and left untouched");

        make_dir("data-in-fs", ""); make_dir("data-in-fs", "fs"); make_file("data-in-fs", "fs/f", "x");
        ok(!prepares("data-in-fs"), "fs/ with data but no version is refused (not a leftover)");

        make_dir("foreign-meta", ""); make_dir("foreign-meta", ".rwshim"); make_file("foreign-meta", ".rwshim/other", "");
        ok(!prepares("foreign-meta"), ".rwshim/ with an unknown file is refused");

        make_dir("newer", ""); make_dir("newer", ".rwshim"); make_file("newer", ".rwshim/version", "9\n");
        ok(!prepares("newer"), "a newer format version is refused");

        /* An existing upper whose index is damaged: rebuilt from fs/, installed whole. */
        ok(prepares("damaged"), "upper for the damaged-index case");
        make_dir("damaged", "fs/srv"); make_file("damaged", "fs/srv/cache", "x");
        ok(truncate(at("damaged", ".rwshim/index"), 100) == 0, "index damaged");
        ok(prepares("damaged"), "a damaged index does not refuse the upper");
        ok(index_has("damaged", "/srv/cache"), "the rebuilt index knows what fs/ holds");
        ok(stat(at("damaged", ".rwshim/index.tmp"), &st) < 0, "no index.tmp left after the rebuild");

        make_dir("tree", ""); make_dir("tree", "a"); make_dir("tree", "a/b"); make_file("tree", "a/b/f", "x");
        rw_upper_remove_tree(at("tree", ""));
        ok(stat(at("tree", ""), &st) < 0 && errno == ENOENT, "remove_tree removes the dir itself");

        rw_upper_remove_tree(base);
        return tap_done();
}
