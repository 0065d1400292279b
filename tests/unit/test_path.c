/* Unit tests for core/path.c: lexical normalisation and prefix tests. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "core/path.h"
#include "tap.h"

static const char *norm(const char *base, const char *p)
{
        static char out[PATH_MAX];
        int r = rw_path_normalize(base, p, out, sizeof(out));
        return r < 0 ? "ERR" : out;
}

int main(void)
{
        char small[8];

        is_str(norm(NULL, "/a/b/c"), "/a/b/c", "plain absolute path");
        is_str(norm(NULL, "//a///b/"), "/a/b", "duplicate and trailing slashes");
        is_str(norm(NULL, "/a/./b/../c"), "/a/c", "dot and dot-dot");
        is_str(norm(NULL, "/../../x"), "/x", "dot-dot stops at the root");
        is_str(norm(NULL, "/a/.."), "/", "back to the root");
        is_str(norm("/home/u", "x/y"), "/home/u/x/y", "relative joins the base");
        is_str(norm("/home/u", "../../../etc"), "/etc", "relative cannot climb above the root");
        is_str(norm("/", "."), "/", "dot at the root");
        is_int(rw_path_normalize(NULL, "rel", small, sizeof(small)), -EINVAL, "relative without base");
        is_int(rw_path_normalize(NULL, "", small, sizeof(small)), -ENOENT, "empty path");
        is_int(rw_path_normalize(NULL, "/abcdefgh", small, sizeof(small)), -ENAMETOOLONG, "too long for the buffer");
        ok(rw_path_is_under("/a/b", "/a"), "child is under parent");
        ok(rw_path_is_under("/a", "/a"), "a path is under itself");
        ok(!rw_path_is_under("/ab", "/a"), "sibling with common prefix is not under");
        ok(rw_path_is_under("/x", "/"), "everything is under the root");
        ok(rw_path_in_list("/proc/self/fd", "/sys:/proc"), "in list");
        ok(!rw_path_in_list("/procfs", "/sys:/proc"), "prefix of a list entry is not in it");
        ok(rw_path_in_list("/data/x", "/data/"), "list entry with trailing slash");

        char parent[PATH_MAX];
        const char *name;
        ok(rw_path_split("/a/b/c", parent, sizeof(parent), &name) == 0 && !strcmp(parent, "/a/b") && !strcmp(name, "c"), "split");
        ok(rw_path_split("/c", parent, sizeof(parent), &name) == 0 && !strcmp(parent, "/") && !strcmp(name, "c"), "split at root");
        return tap_done();
}
