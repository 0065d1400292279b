/* What rwshim knows about a path: which tool writes there, the knob that moves it, the fix, and
 * what the program does when the write is refused. All of it comes from the project's knowledge
 * base (data/kb, loaded through core/kb.h); trace holds no table of its own. Without a knowledge
 * base, trace still works: nothing is attributed to a tool. */
#ifndef TRACE_KNOWLEDGE_H
#define TRACE_KNOWLEDGE_H

#include "core/err.h"

struct trace_knowledge;   /* opaque: the loaded knowledge base and the values templates expand to */

struct trace_knowledge_entry {
        const char *tool;      /* the knowledge base's tool name ("matplotlib") */
        const char *knob;      /* the env var that moves the path (or the tool's first setting), or NULL */
        const char *fix;       /* the tool's one-line fix */
        const char *effect;    /* what the tool does when the write is refused, or NULL */
        int convention;        /* 1: the tool is a convention for a shared dir ("tmpdir" for {tmp}),
                                * which gives the knob and the fix but names no culprit */
};

/* Loads DIR/kb/<tool>.json; template values come from this process's environment (HOME,
 * TMPDIR, XDG_*, cwd, uid), which is also the traced command's. Returns 0 with *ret set, or
 * -errno with e set. */
int trace_knowledge_load(const char *dir, struct trace_knowledge **ret, struct rw_err *e);

/* Loads the knowledge base users get (core/kb.h rw_kb_load_default: built in, plus the override
 * directory). Returns it, or NULL after printing the one-line error (an unreadable or malformed
 * override file): the caller exits 125. */
struct trace_knowledge *trace_knowledge_open(void);

void trace_knowledge_free(struct trace_knowledge *k);

/* Looks an absolute path up. Returns 1 with ret filled, 0 when no tool is known for it (or k is
 * NULL). Strings in ret live as long as k. */
int trace_knowledge_path(const struct trace_knowledge *k, const char *path,
                         struct trace_knowledge_entry *ret);

/* Looks a tool up by the name blamed from a Python stack ("jinja2"): a tool of that name or one
 * detected by that Python module. for_path (or NULL) is what trace_knowledge_path() said about
 * the event's path: when it names the same tool, its knob is kept. Returns 1 with ret filled,
 * else 0. */
int trace_knowledge_tool(const struct trace_knowledge *k, const char *name,
                         const struct trace_knowledge_entry *for_path,
                         struct trace_knowledge_entry *ret);

/* The knob that moves path, for the tool named tool: an environment variable of one of the
 * tool's paths whose template, expanded for this environment, names path, lies beneath it
 * (matplotlib's mkdir ~/.config on the way to ~/.config/matplotlib), or holds it. Returns 1
 * with *ret_env (lives as long as k) and *ret_ram_ok set, else 0. A setting that is no
 * variable (jinja2's FileSystemBytecodeCache(directory=...)) is never a knob. */
int trace_knowledge_knob(const struct trace_knowledge *k, const char *tool, const char *path,
                         const char **ret_env, int *ret_ram_ok);

/* Where the knob moves the tool: the knowledge base's "relocate" template for that variable
 * ("{cache_root}/pycache", as doctor uses it), or NULL. Lives as long as k. */
const char *trace_knowledge_knob_relocate(const struct trace_knowledge *k, const char *tool, const char *env);

#endif
