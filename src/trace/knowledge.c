/* Built-in fallback knowledge; see knowledge.h. Patterns are path fragments, most specific first. */
#include "trace/knowledge.h"

#include <stddef.h>
#include <string.h>

struct rule {
        const char *fragment;              /* matched anywhere in the absolute path */
        struct trace_knowledge_entry entry;
};

static const struct rule rules[] = {
        { "/__pycache__/", { "CPython",
          "set PYTHONDONTWRITEBYTECODE=1, or PYTHONPYCACHEPREFIX to a writable dir",
          "CPython skips writing .pyc silently and recompiles at every start" } },
        { "/.jinja_cache", { "jinja2",
          "point jinja2.FileSystemBytecodeCache(directory=...) at a writable dir (e.g. under $XDG_CACHE_HOME)",
          "jinja2 raises PermissionError from the bytecode cache" } },
        { "/matplotlib", { "matplotlib", "set MPLCONFIGDIR to a writable dir",
          "matplotlib falls back to a temporary config dir and rebuilds its font cache at every start" } },
        { "/.cache/pip", { "pip", "set PIP_CACHE_DIR to a writable dir, or PIP_NO_CACHE_DIR=1",
          "pip disables its cache" } },
        { "/.cache/fontconfig", { "fontconfig", "set XDG_CACHE_HOME to a writable dir",
          "fontconfig rescans fonts at every start" } },
        { "/.cache/", { NULL, "set XDG_CACHE_HOME to a writable dir", NULL } },
        { "/.config/", { NULL, "set XDG_CONFIG_HOME to a writable dir", NULL } },
        { "/.local/share/", { NULL, "set XDG_DATA_HOME to a writable dir", NULL } },
        { "/.local/state/", { NULL, "set XDG_STATE_HOME to a writable dir", NULL } },
        { "/.gitconfig", { "git", "set GIT_CONFIG_GLOBAL to a writable file", NULL } },
        { "/.python_history", { "CPython", "set PYTHON_HISTORY, or run non-interactively", NULL } },
        { "/.sqlite_history", { "sqlite3", "set SQLITE_HISTORY to a writable file", NULL } },
};

static int starts_with(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A temp file or a program's own temp dir (/tmp/x, /tmp/dir/x) follows TMPDIR; deeper trees under
 * /tmp are somebody's fixed paths, which TMPDIR does not move. */
static int under_tmp(const char *path, const char *tmp)
{
        const char *rest = path + strlen(tmp), *slash;

        if (!starts_with(path, tmp))
                return 0;
        slash = strchr(rest, '/');
        return !slash || !strchr(slash + 1, '/');
}

static const struct trace_knowledge_entry tmp_entry = {
        NULL, "set TMPDIR to a writable dir", NULL,
};

/* fragment matched in path, or in path + "/" (a refused mkdir of "~/.config" is about "/.config/"). */
static int mentions(const char *path, const char *fragment)
{
        size_t plen = strlen(path), flen = strlen(fragment);

        if (strstr(path, fragment))
                return 1;
        return flen > 1 && fragment[flen - 1] == '/' && plen >= flen - 1 &&
               strncmp(path + plen - (flen - 1), fragment, flen - 1) == 0;
}

const struct trace_knowledge_entry *trace_knowledge_tool(const char *name)
{
        for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
                if (rules[i].entry.tool && strcmp(rules[i].entry.tool, name) == 0)
                        return &rules[i].entry;
        return NULL;
}

const struct trace_knowledge_entry *trace_knowledge(const char *path)
{
        for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
                if (mentions(path, rules[i].fragment))
                        return &rules[i].entry;
        if (under_tmp(path, "/tmp/") || under_tmp(path, "/var/tmp/"))
                return &tmp_entry;
        return NULL;
}
