/* Knowledge base: loading data/kb, rejecting bad entries, expanding templates, and attributing
 * paths to tools the way trace, check and doctor need. */
#include "core/kb.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

static const char *data_dir(char *buf, size_t size)
{
        const char *src = getenv("RWSHIM_SRC");

        snprintf(buf, size, "%s/data", src ? src : ".");
        return buf;
}

static void check_entries(const struct rw_kb *kb)
{
        size_t bad = 0;

        for (size_t i = 0; i < rw_kb_count(kb); i++) {
                const struct rw_kb_tool *t = rw_kb_tool_at(kb, i);

                if (t->n_paths == 0 || strncmp(t->source, "https://", 8) != 0 || !t->fix[0])
                        bad++;
        }
        is_int(bad, 0, "every entry has paths, an https source and a fix");
        ok(rw_kb_find(kb, "matplotlib") != NULL, "rw_kb_find finds matplotlib");
        ok(rw_kb_find(kb, "no-such-tool") == NULL, "rw_kb_find returns NULL for unknown names");
}

static void expect_match(const struct rw_kb *kb, const struct rw_kb_ctx *ctx, const char *path,
                         const char *tool, const char *dir)
{
        struct rw_kb_match m;
        int r = rw_kb_match_path(kb, path, ctx, &m);

        is_int(r, 1, "%s matches a tool", path);
        is_str(r == 1 ? m.tool->name : NULL, tool, "%s is attributed to %s", path, tool);
        is_str(r == 1 ? m.dir : NULL, dir, "%s: the tool's dir is %s", path, dir);

        /* The compiled matcher (templates expanded once) must give the same answer. */
        struct rw_kb_matcher *mt;
        struct rw_kb_match c;
        ok(rw_kb_matcher_new(kb, ctx, &mt) == 0, "compile for %s", path);
        int rc = rw_kb_matcher_match(mt, path, &c);
        ok(rc == r && (r != 1 || (c.tool == m.tool && c.path == m.path && !strcmp(c.dir, m.dir) && c.score == m.score)),
           "compiled matcher agrees on %s", path);
        rw_kb_matcher_free(mt);
}

static void check_matching(const struct rw_kb *kb)
{
        struct rw_kb_ctx home = { .home = "/home/u", .uid = 4242 };
        struct rw_kb_ctx root_home = { .home = "/", .uid = 4242 };
        struct rw_kb_ctx generic = { .uid = -1 };
        struct rw_kb_match m;

        expect_match(kb, &home, "/home/u/.config/matplotlib/fontlist.json", "matplotlib",
                     "/home/u/.config/matplotlib");
        expect_match(kb, &root_home, "/.config/matplotlib", "matplotlib", "/.config/matplotlib");
        expect_match(kb, &generic, "/srv/x/.cache/pip/http/a", "pip", "/srv/x/.cache/pip");
        expect_match(kb, &generic, "/usr/lib/python3/dist-packages/jinja2/__pycache__/x.pyc",
                     "python-bytecode", "/usr/lib/python3/dist-packages/jinja2/__pycache__");
        expect_match(kb, &home, "/tmp/_jinja2-cache-4242/__jinja2_ab.cache", "jinja2",
                     "/tmp/_jinja2-cache-4242");
        expect_match(kb, &generic, "/tmp/matplotlib-k2j3h4/fontlist-v330.json", "matplotlib",
                     "/tmp/matplotlib-k2j3h4");
        expect_match(kb, &generic, "/tmp/tmpab12cd34", "python-tempfile", "/tmp/tmpab12cd34");
        expect_match(kb, &home, "/home/u/.gitconfig.lock", "git", "/home/u/.gitconfig.lock");
        expect_match(kb, &home, "/home/u/.cache/huggingface/hub/models--x", "huggingface-hub",
                     "/home/u/.cache/huggingface/hub");
        /* The most specific template wins over the generic temp dir. */
        ok(rw_kb_match_path(kb, "/tmp/hsperfdata_app/123", &generic, &m) == 1 &&
           strcmp(m.tool->name, "hsperfdata") == 0, "/tmp/hsperfdata_* beats the tmpdir entry");
        is_int(rw_kb_match_path(kb, "/srv/app/data.json", &home, &m), 0,
               "an application's own file matches no tool");
        is_int(rw_kb_match_path(kb, "relative/path", &home, &m), -EINVAL, "relative path: -EINVAL");
}

static void check_expand(void)
{
        struct rw_kb_ctx home = { .home = "/h", .uid = 7 };
        struct rw_kb_ctx xdg = { .home = "/h", .xdg_cache_home = "/c", .uid = 7 };
        struct rw_kb_ctx root_home = { .home = "/", .uid = 7 };
        char buf[PATH_MAX];

        rw_kb_expand("{xdg_cache}/pip", &home, NULL, NULL, buf, sizeof(buf));
        is_str(buf, "/h/.cache/pip", "{xdg_cache} defaults to {home}/.cache");
        rw_kb_expand("{xdg_cache}/pip", &xdg, NULL, NULL, buf, sizeof(buf));
        is_str(buf, "/c/pip", "{xdg_cache} follows XDG_CACHE_HOME");
        rw_kb_expand("{xdg_config}/matplotlib", &root_home, NULL, NULL, buf, sizeof(buf));
        is_str(buf, "/.config/matplotlib", "HOME=/ gives /.config, not //.config");
        rw_kb_expand("{tmp}/_jinja2-cache-{uid}", &home, NULL, NULL, buf, sizeof(buf));
        is_str(buf, "/tmp/_jinja2-cache-7", "{tmp} and {uid}");
        rw_kb_expand("{cache_root}/pycache", &home, "/var/cache/app", "/var/lib/app", buf, sizeof(buf));
        is_str(buf, "/var/cache/app/pycache", "{cache_root} in relocate templates");
        is_int(rw_kb_expand("{nope}/x", &home, NULL, NULL, buf, sizeof(buf)), -EINVAL,
               "an unknown variable does not expand");
        is_int(rw_kb_expand("{home}/x", &home, NULL, NULL, buf, 4), -ENAMETOOLONG,
               "a short buffer gives -ENAMETOOLONG");
}

static void check_bad_input(void)
{
        char dir[] = "/tmp/rwshim-kbtest.XXXXXX", path[PATH_MAX];
        struct rw_kb *kb = NULL;
        struct rw_err e = { 0 };
        FILE *f;

        is_int(rw_kb_load("/nonexistent-rwshim", &kb, &e), -ENOENT, "missing dir: -ENOENT");
        if (!mkdtemp(dir))
                return;
        snprintf(path, sizeof(path), "%s/kb", dir);
        mkdir(path, 0700);
        snprintf(path, sizeof(path), "%s/kb/broken.json", dir);
        f = fopen(path, "w");
        if (f) {
                fputs("{\"tool\": \"broken\", \"paths\": [", f);
                fclose(f);
        }
        is_int(rw_kb_load(dir, &kb, &e), -EINVAL, "invalid JSON: -EINVAL");
        ok(strstr(e.path, "broken.json") != NULL, "the error names the file (%s)", e.path);
        f = fopen(path, "w");
        if (f) {
                fputs("{\"tool\": \"broken\", \"paths\": [{\"template\": \"relative\"}]}", f);
                fclose(f);
        }
        is_int(rw_kb_load(dir, &kb, &e), -EINVAL, "an entry without required fields: -EINVAL");
        unlink(path);
        snprintf(path, sizeof(path), "%s/kb", dir);
        rmdir(path);
        rmdir(dir);
}

int main(void)
{
        char dir[PATH_MAX];
        struct rw_kb *kb = NULL;
        struct rw_err e = { 0 };
        int n = rw_kb_load(data_dir(dir, sizeof(dir)), &kb, &e);

        ok(n >= 80, "the knowledge base in %s has at least 80 tools (%d)", dir, n);
        if (n < 0) {
                rw_err_print(&e);
                return tap_done();
        }
        check_entries(kb);
        check_matching(kb);
        check_expand();
        check_bad_input();
        rw_kb_free(kb);
        return tap_done();
}
