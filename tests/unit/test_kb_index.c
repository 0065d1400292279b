/* The indexed matcher (rw_kb_matcher_match) must give exactly the answer of trying every
 * pattern (rw_kb_matcher_match_scan), and that of the uncompiled rw_kb_match_path, for every
 * path: the KB's own template paths, paths below them, random paths and mutated ones. A
 * disagreement names the path, so a failure is reproducible (fixed seed). */
#include "core/kb.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static const char *data_dir(char *buf, size_t size)
{
        const char *src = getenv("RWSHIM_SRC");

        snprintf(buf, size, "%s/data", src ? src : ".");
        return buf;
}

/* A deterministic generator, so a failing path is the same on every run. */
static unsigned long long rng_state = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        return (unsigned)(rng_state % n);
}

static const char *const words[] = {
        "home", "u", "root", ".cache", ".config", ".local", "share", "state", "tmp", "var",
        "pip", "npm", "matplotlib", "site-packages", "dist-packages", "lib", "python3.11",
        "usr", "opt", "run", "user", "4242", "0", "go", "cargo", ".m2", "x", "build", "a.b",
        ".git", "node_modules", "src", "etc", "work", "*", "?", "[", "",
};

struct stats {
        size_t paths, matched, disagree, disagree_plain;
};

/* Compares the three answers for one path; plain (the slow uncompiled match) only sometimes. */
static void compare(const struct rw_kb *kb, const struct rw_kb_ctx *ctx,
                    const struct rw_kb_matcher *mt, const char *path, int plain, struct stats *st)
{
        struct rw_kb_match a, b, c;
        int ra = rw_kb_matcher_match(mt, path, &a);
        int rb = rw_kb_matcher_match_scan(mt, path, &b);

        st->paths++;
        st->matched += ra == 1;
        if (ra != rb || (ra == 1 && (a.tool != b.tool || a.path != b.path || a.score != b.score ||
                                     strcmp(a.dir, b.dir) != 0))) {
                if (st->disagree++ < 5)
                        fprintf(stderr, "# index and scan disagree on %s: %d %s / %d %s\n", path, ra,
                             ra == 1 ? a.tool->name : "-", rb, rb == 1 ? b.tool->name : "-");
        }
        if (!plain)
                return;
        int rc = rw_kb_match_path(kb, path, ctx, &c);
        if (ra != rc || (ra == 1 && (a.tool != c.tool || a.path != c.path || a.score != c.score ||
                                     strcmp(a.dir, c.dir) != 0))) {
                if (st->disagree_plain++ < 5)
                        fprintf(stderr, "# index and rw_kb_match_path disagree on %s: %d %s / %d %s\n", path, ra,
                             ra == 1 ? a.tool->name : "-", rc, rc == 1 ? c.tool->name : "-");
        }
}

/* A template's expansion with each '*' replaced by one or more random words. */
static void concrete(const char *pattern, char *out, size_t size)
{
        size_t n = 0;

        for (const char *p = pattern; *p && n + 64 < size; p++) {
                if (*p != '*') {
                        out[n++] = *p;
                        continue;
                }
                for (unsigned k = 0, parts = 1 + rnd(2); k < parts; k++)
                        n += (size_t)snprintf(out + n, size - n, "%s%s", k ? "/" : "",
                                              words[rnd(sizeof(words) / sizeof(words[0]) - 4)]);
        }
        out[n] = '\0';
}

static void random_path(char *out, size_t size)
{
        size_t n = 0;

        for (unsigned k = 0, parts = 1 + rnd(7); k < parts && n + 64 < size; k++)
                n += (size_t)snprintf(out + n, size - n, "/%s",
                                      words[rnd(sizeof(words) / sizeof(words[0]))]);
        if (n == 0)
                out[n++] = '/';
        out[n] = '\0';
}

/* Deletes, duplicates or replaces a byte, or appends a component: near misses of real paths. */
static void mutate(char *path, size_t size)
{
        size_t len = strlen(path);
        size_t at = 1 + rnd((unsigned)(len > 1 ? len - 1 : 1));
        static const char bytes[] = "/.-_axe*C0~";

        switch (rnd(4)) {
        case 0:
                if (len > 1)
                        memmove(path + at, path + at + 1, len - at);
                break;
        case 1:
                if (len + 2 < size) {
                        memmove(path + at + 1, path + at, len - at + 1);
                        path[at] = path[at - 1];
                }
                break;
        case 2:
                if (at < len)
                        path[at] = bytes[rnd(sizeof(bytes) - 1)];
                break;
        default:
                if (len + 16 < size)
                        snprintf(path + len, size - len, "/%s", words[rnd(10)]);
        }
        if (path[0] != '/')
                path[0] = '/';
}

static void check_ctx(const struct rw_kb *kb, const struct rw_kb_ctx *ctx, const char *what)
{
        struct rw_kb_matcher *mt;
        struct stats st = { 0 };
        char path[PATH_MAX], base[PATH_MAX];
        size_t i, j, count = 0;

        if (rw_kb_matcher_new(kb, ctx, &mt) != 0) {
                ok(0, "%s: compile the matcher", what);
                return;
        }
        for (i = 0; i < rw_kb_count(kb); i++) {
                const struct rw_kb_tool *t = rw_kb_tool_at(kb, i);

                for (j = 0; j < t->n_paths; j++, count++) {
                        if (rw_kb_expand(t->paths[j].template, ctx, "/cr", "/sr", base,
                                         sizeof(base)) < 0)
                                continue;
                        for (int k = 0; k < 4; k++) {
                                concrete(base, path, sizeof(path) - 32);
                                compare(kb, ctx, mt, path, k == 0, &st);
                                snprintf(path + strlen(path), 32, "/%s", words[rnd(12)]);
                                compare(kb, ctx, mt, path, 0, &st);
                                for (int m = 0; m < 6; m++) {
                                        mutate(path, sizeof(path));
                                        compare(kb, ctx, mt, path, m == 5 && k == 1, &st);
                                }
                        }
                }
        }
        for (i = 0; i < 20000; i++) {
                random_path(path, sizeof(path));
                compare(kb, ctx, mt, path, i % 50 == 0, &st);
                mutate(path, sizeof(path));
                compare(kb, ctx, mt, path, 0, &st);
        }
        ok(st.matched > count, "%s: many paths match a tool (%zu of %zu)", what, st.matched,
           st.paths);
        is_int(st.disagree, 0, "%s: the index gives the plain scan's answer for %zu paths", what,
               st.paths);
        is_int(st.disagree_plain, 0, "%s: and rw_kb_match_path's, where compared", what);
        rw_kb_matcher_free(mt);
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
        struct rw_kb_ctx home = { .home = "/home/u", .uid = 4242 };
        struct rw_kb_ctx full = { .home = "/root/", .tmpdir = "/scratch", .xdg_cache_home = "/c",
                                  .xdg_config_home = "/home/u/cfg", .xdg_data_home = "/d",
                                  .xdg_state_home = "/s", .xdg_runtime_dir = "/run/user/0",
                                  .cwd = "/work/src", .user = "root", .uid = 0 };
        struct rw_kb_ctx none = { .uid = -1 };

        check_ctx(kb, &home, "HOME=/home/u");
        check_ctx(kb, &full, "every variable set");
        check_ctx(kb, &none, "nothing set");
        rw_kb_free(kb);
        return tap_done();
}
