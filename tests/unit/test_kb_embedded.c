/* The knowledge base compiled into rwshim, and the override directory that adds tools or
 * replaces built-in ones ($RWSHIM_DATA/kb here). Run as root, so unreadable files are tested by
 * the integration test release_kb_override. */
#include "core/kb.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

#define TOOL(name, fix) "{\"tool\": \"" name "\", \"on_failure\": \"crash\", \"fix\": \"" fix "\", " \
        "\"source\": \"https://example.org\", \"paths\": [{\"template\": \"/opt/" name "\", \"purpose\": \"state\"}]}"

static void write_file(const char *dir, const char *name, const char *text)
{
        char path[PATH_MAX];
        FILE *f;

        snprintf(path, sizeof(path), "%s/kb/%s", dir, name);
        f = fopen(path, "w");
        if (f) {
                fputs(text, f);
                fclose(f);
        }
}

static void check_builtin(void)
{
        struct rw_kb *kb = NULL;
        struct rw_err e = { 0 };
        char over[PATH_MAX];
        size_t unsorted = 0;
        int n;

        unsetenv("RWSHIM_DATA");
        n = rw_kb_load_default(&kb, over, sizeof(over), &e);
        ok(n >= 80, "the built-in knowledge base has at least 80 tools (%d)", n);
        if (n < 0) {
                rw_err_print(&e);
                return;
        }
        ok(rw_kb_find(kb, "jinja2") != NULL, "it holds jinja2");

        for (size_t i = 1; i < rw_kb_count(kb); i++)
                unsorted += strcmp(rw_kb_tool_at(kb, i - 1)->name, rw_kb_tool_at(kb, i)->name) >= 0;
        is_int(unsorted, 0, "tools are sorted by name, each once");
        rw_kb_free(kb);
}

static void check_override(const char *dir, int builtin)
{
        struct rw_kb *kb = NULL;
        struct rw_err e = { 0 };
        char over[PATH_MAX];
        int n;

        write_file(dir, "jinja2.json", TOOL("jinja2", "local fix"));
        write_file(dir, "zz-inhouse.json", TOOL("zz-inhouse", "set INHOUSE_DIR"));
        write_file(dir, "notes.txt", "not json, not a .json name: ignored");
        setenv("RWSHIM_DATA", dir, 1);
        n = rw_kb_load_default(&kb, over, sizeof(over), &e);
        is_int(n, builtin + 1, "an override adds one tool and replaces one");
        if (n < 0) {
                rw_err_print(&e);
                return;
        }
        ok(strstr(over, "/kb") != NULL, "the override dir is reported (%s)", over);
        is_str(rw_kb_find(kb, "jinja2")->fix, "local fix", "the override replaces the built-in entry");
        ok(rw_kb_find(kb, "zz-inhouse") != NULL, "a new tool is added");
        is_str(rw_kb_tool_at(kb, rw_kb_count(kb) - 1)->name, "zz-inhouse", "and sorted in");
        rw_kb_free(kb);

        write_file(dir, "broken.json", "{\"tool\": \"broken\", ");
        is_int(rw_kb_load_default(&kb, over, sizeof(over), &e), -EINVAL, "a malformed override: -EINVAL");
        ok(strstr(e.path, "broken.json") != NULL, "the error names the file (%s)", e.path);
        write_file(dir, "broken.json", "{\"tool\": \"broken\", \"paths\": []}");
        is_int(rw_kb_load_default(&kb, over, sizeof(over), &e), -EINVAL, "an incomplete override: -EINVAL");
        ok(strstr(e.path, "broken.json") != NULL, "the error names the file (%s)", e.path);

        setenv("RWSHIM_DATA", "/nonexistent-rwshim", 1);
        is_int(rw_kb_load_default(&kb, over, sizeof(over), &e), -ENOENT, "RWSHIM_DATA without kb/: -ENOENT");
        unsetenv("RWSHIM_DATA");
}

int main(void)
{
        char dir[] = "/tmp/rwshim-kbembed.XXXXXX", sub[PATH_MAX], cmd[PATH_MAX + 16];
        struct rw_kb *kb = NULL;
        struct rw_err e = { 0 };
        char over[PATH_MAX];
        int builtin;

        check_builtin();
        unsetenv("RWSHIM_DATA");
        builtin = rw_kb_load_default(&kb, over, sizeof(over), &e);
        if (builtin > 0)
                rw_kb_free(kb);
        if (!mkdtemp(dir))
                return tap_done();
        snprintf(sub, sizeof(sub), "%s/kb", dir);
        mkdir(sub, 0700);
        check_override(dir, builtin);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
                fprintf(stderr, "# could not remove %s\n", dir);
        return tap_done();
}
