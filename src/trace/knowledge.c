/* The knowledge base as trace sees it; see knowledge.h. */
#include "trace/knowledge.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kb.h"

struct trace_knowledge {
        struct rw_kb *kb;
        struct rw_kb_matcher *matcher;  /* templates expanded once for ctx */
        struct rw_kb_ctx ctx;
        char cwd[PATH_MAX];     /* ctx.cwd points here */
};

/* Compiles the loaded kb for this process's environment; frees it on error. */
static int knowledge_compile(struct rw_kb *kb, struct trace_knowledge **ret)
{
        struct trace_knowledge *k = calloc(1, sizeof(*k));
        int r = k ? 0 : -ENOMEM;

        if (k) {
                k->kb = kb;
                rw_kb_ctx_from_env(&k->ctx, k->cwd, sizeof(k->cwd));
                r = rw_kb_matcher_new(k->kb, &k->ctx, &k->matcher);
        }
        if (r < 0) {
                rw_kb_free(kb);
                free(k);
                return r;
        }
        *ret = k;
        return 0;
}

int trace_knowledge_load(const char *dir, struct trace_knowledge **ret, struct rw_err *e)
{
        struct rw_kb *kb;
        int r = rw_kb_load(dir, &kb, e);

        if (r < 0)
                return r;
        r = knowledge_compile(kb, ret);
        return r < 0 ? rw_err_set(e, -r, "compile knowledge base", dir) : 0;
}

struct trace_knowledge *trace_knowledge_open(void)
{
        struct trace_knowledge *k = NULL;
        struct rw_kb *kb;
        struct rw_err e;
        char override[PATH_MAX];
        int r;

        if (rw_kb_load_default(&kb, override, sizeof(override), &e) < 0)
                return rw_err_print(&e), NULL;
        if ((r = knowledge_compile(kb, &k)) < 0) {
                rw_err_set(&e, -r, "compile knowledge base", override[0] ? override : "(built in)");
                return rw_err_print(&e), NULL;
        }
        return k;
}

void trace_knowledge_free(struct trace_knowledge *k)
{
        if (!k)
                return;
        rw_kb_matcher_free(k->matcher);
        rw_kb_free(k->kb);
        free(k);
}

/* Components of path below dir: "/tmp/a/b" below "/tmp" is 2. */
static int depth_below(const char *path, const char *dir)
{
        const char *rest = path + strlen(dir);
        int n = 0;

        for (; *rest; rest++)
                n += *rest == '/' && rest[1] && rest[1] != '/';
        return n;
}

/* 1 if the template is nothing but a variable ("{tmp}", "{xdg_runtime}"): it names a shared
 * directory, not a tool's own one. */
static int bare_variable(const char *template)
{
        size_t len = strlen(template);

        return len > 2 && template[0] == '{' && template[len - 1] == '}' &&
               !strchr(template + 1, '{');
}

static void fill(struct trace_knowledge_entry *ret, const struct rw_kb_tool *t, const char *knob)
{
        memset(ret, 0, sizeof(*ret));
        ret->tool = t->name;
        ret->knob = knob;
        ret->fix = t->fix;
        ret->effect = t->failure_detail;
}

int trace_knowledge_path(const struct trace_knowledge *k, const char *path,
                         struct trace_knowledge_entry *ret)
{
        struct rw_kb_match m;

        if (!k || rw_kb_matcher_match(k->matcher, path, &m) != 1)
                return 0;
        /* A temp file or a program's own temp dir (/tmp/x, /tmp/dir/x) follows TMPDIR; deeper
         * trees under a shared dir are somebody's fixed paths, which TMPDIR does not move. */
        if (bare_variable(m.path->template) && depth_below(path, m.dir) > 2)
                return 0;
        fill(ret, m.tool, m.path->env);
        ret->convention = bare_variable(m.path->template);
        return 1;
}

static int has_module(const struct rw_kb_tool *t, const char *name)
{
        for (size_t i = 0; i < t->n_python_modules; i++)
                if (strcmp(t->python_modules[i], name) == 0)
                        return 1;
        return 0;
}

int trace_knowledge_tool(const struct trace_knowledge *k, const char *name,
                         const struct trace_knowledge_entry *for_path,
                         struct trace_knowledge_entry *ret)
{
        const struct rw_kb_tool *t;

        if (!k)
                return 0;
        if (!(t = rw_kb_find(k->kb, name)))
                for (size_t i = 0; i < rw_kb_count(k->kb) && !t; i++)
                        if (has_module(rw_kb_tool_at(k->kb, i), name))
                                t = rw_kb_tool_at(k->kb, i);
        if (!t)
                return 0;
        /* The path's own env var when the tool names the path; else the tool's first setting
         * (jinja2's FileSystemBytecodeCache(directory=...)). */
        if (for_path && for_path->tool == t->name && for_path->knob)
                fill(ret, t, for_path->knob);
        else
                fill(ret, t, t->n_settings ? t->settings[0].name : NULL);
        return 1;
}

/* 1 if path is dir or beneath it, by components. */
static int knob_beneath(const char *path, const char *dir)
{
        size_t len = strlen(dir);

        if (len == 1 && dir[0] == '/')
                return 1;
        return strncmp(path, dir, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

static int path_moved_by(const struct trace_knowledge *k, const struct rw_kb_path *p, const char *path)
{
        char buf[PATH_MAX], up[PATH_MAX];

        if (!p->env || rw_kb_expand(p->template, &k->ctx, NULL, NULL, buf, sizeof(buf)) < 0 ||
            strcmp(buf, "/") == 0 || buf[0] != '/')
                return 0;
        /* Many instances ({tmp}/matplotlib-*): the path must be one of them or inside one. */
        if (strpbrk(buf, "*?[")) {
                snprintf(up, sizeof(up), "%s", path);
                for (char *slash; up[0]; *slash = '\0') {
                        if (fnmatch(buf, up, 0) == 0)
                                return 1;
                        if (!(slash = strrchr(up, '/')))
                                break;
                }
                return 0;
        }
        /* A shared dir ({tmp}): only its direct temp files and dirs follow the variable. */
        if (bare_variable(p->template))
                return knob_beneath(path, buf) && depth_below(path, buf) <= 2;
        return knob_beneath(path, buf) || knob_beneath(buf, path);
}

int trace_knowledge_knob(const struct trace_knowledge *k, const char *tool, const char *path,
                         const char **ret_env, int *ret_ram_ok)
{
        const struct rw_kb_tool *t = k && tool ? rw_kb_find(k->kb, tool) : NULL;

        for (size_t i = 0; t && i < t->n_paths; i++) {
                if (path_moved_by(k, &t->paths[i], path)) {
                        *ret_env = t->paths[i].env;
                        *ret_ram_ok = t->paths[i].ram_ok;
                        return 1;
                }
        }
        return 0;
}

const char *trace_knowledge_knob_relocate(const struct trace_knowledge *k, const char *tool, const char *env)
{
        const struct rw_kb_tool *t = k && tool ? rw_kb_find(k->kb, tool) : NULL;

        for (size_t i = 0; t && i < t->n_paths; i++)
                if (t->paths[i].env && t->paths[i].relocate && strcmp(t->paths[i].env, env) == 0)
                        return t->paths[i].relocate;
        return NULL;
}
