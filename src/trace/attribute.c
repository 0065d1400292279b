/* Attribution; see attribute.h. The order of evidence: the Python line that made the call (most
 * precise), the knowledge base's tool for the path, the shared object that called libc, then the
 * program itself. */
#include "trace/attribute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/knowledge.h"

static const char *after_packages_dir(const char *file)
{
        static const char *const dirs[] = { "/site-packages/", "/dist-packages/", NULL };
        const char *best = NULL;

        for (size_t i = 0; dirs[i]; i++) {
                const char *p = strstr(file, dirs[i]);

                if (p)
                        best = p + strlen(dirs[i]);
        }
        return best;
}

static const char *base_name(const char *path)
{
        const char *slash = strrchr(path, '/');

        return slash ? slash + 1 : path;
}

void trace_python_package(const char *file, char *buf, size_t size)
{
        const char *rel = after_packages_dir(file);
        size_t len;

        if (rel) {
                len = strcspn(rel, "/");
        } else {
                rel = base_name(file);
                len = strlen(rel);
        }
        if (len > 3 && strncmp(rel + len - 3, ".py", 3) == 0)
                len -= 3;
        snprintf(buf, size, "%.*s", (int)len, rel);
}

void trace_frame_format(const struct trace_frame *f, char *buf, size_t size)
{
        const char *rel = after_packages_dir(f->file);

        snprintf(buf, size, "%s:%ld", rel ? rel : f->file, f->line);
}

/* Shared objects that only pass a call through: blaming them says nothing. */
static int is_plumbing(const char *caller)
{
        static const char *const names[] = {
                "libc.so", "libc-", "ld-linux", "libpthread", "librwshim", "libasan", NULL,
        };
        const char *base = base_name(caller);

        for (size_t i = 0; names[i]; i++)
                if (strncmp(base, names[i], strlen(names[i])) == 0)
                        return 1;
        return 0;
}

static int is_program(const struct trace_event *ev, const char *caller)
{
        return ev->proc && ev->proc->exe && strcmp(ev->proc->exe, caller) == 0;
}

static void culprit_from_process(struct trace_event *ev)
{
        struct trace_attr *a = &ev->attr;

        if (ev->caller && !is_plumbing(ev->caller) && !is_program(ev, ev->caller) &&
            strncmp(base_name(ev->caller), "libpython", 9) != 0)
                snprintf(a->culprit_buf, sizeof(a->culprit_buf), "%s", base_name(ev->caller));
        else if (ev->proc && ev->proc->exe)
                snprintf(a->culprit_buf, sizeof(a->culprit_buf), "%s", base_name(ev->proc->exe));
        else
                snprintf(a->culprit_buf, sizeof(a->culprit_buf), "pid %d", (int)ev->pid);
}

static void set_tool(struct trace_attr *a, const struct trace_knowledge_entry *k)
{
        a->tool = k->tool;
        a->knob = k->knob;
        a->fix = k->fix;
        a->effect = k->effect;
}

/* The knob of the blamed tool if it moves this path, else that of the path's own tool. */
static void find_knob(struct trace_event *ev, const struct trace_knowledge *kb, const char *path_tool)
{
        struct trace_attr *a = &ev->attr;
        const char *tools[] = { a->tool, path_tool };

        for (size_t i = 0; i < 2; i++) {
                if (tools[i] && trace_knowledge_knob(kb, tools[i], ev->path, &a->knob_env, &a->knob_ram_ok)) {
                        a->knob_tool = tools[i];
                        a->knob_relocate = trace_knowledge_knob_relocate(kb, tools[i], a->knob_env);
                        return;
                }
        }
}

/* The knowledge base's answer for a path, remembered: matching runs every pattern of the base,
 * and a traced program names most of its paths more than once (create, then write, chmod,
 * remove), often far apart (untar, then rm -rf). Direct-mapped, as many slots as events (a power
 * of two): a collision only costs the match again. */
#define PATH_MEMO_MAX (1UL << 20)

struct path_memo {
        const char *path;
        int known;
        struct trace_knowledge_entry entry;
};

static int known_path(const struct trace_knowledge *kb, const char *path, struct trace_knowledge_entry *ret,
                      struct path_memo *memo, size_t slots)
{
        unsigned long h = 14695981039346656037UL;
        struct path_memo *m;

        if (!memo || !path)
                return trace_knowledge_path(kb, path, ret);
        for (const char *p = path; *p; p++)
                h = (h ^ (unsigned char)*p) * 1099511628211UL;
        m = &memo[h & (slots - 1)];
        if (!m->path || strcmp(m->path, path) != 0) {
                memset(&m->entry, 0, sizeof(m->entry));
                m->known = trace_knowledge_path(kb, path, &m->entry);
                m->path = path;
        }
        *ret = m->entry;
        return m->known;
}

static void attribute_with(struct trace_event *ev, const struct trace_knowledge *kb, struct path_memo *memo,
                           size_t slots)
{
        struct trace_knowledge_entry for_path, for_package;
        int known = known_path(kb, ev->path, &for_path, memo, slots);
        /* A convention for a shared dir (TMPDIR for /tmp) gives the fix, never the culprit. */
        const char *known_tool = known && !for_path.convention ? for_path.tool : NULL;
        struct trace_attr *a = &ev->attr;

        memset(a, 0, sizeof(*a));
        if (known)
                set_tool(a, &for_path);
        if (ev->py && ev->py->nframes > 0) {
                trace_python_package(ev->py->frames[0].file, a->culprit_buf, sizeof(a->culprit_buf));
                /* The package's own entry beats the path's (a package writing into a shared dir);
                 * a tool known for the path (CPython's __pycache__) beats an unknown package. */
                if (trace_knowledge_tool(kb, a->culprit_buf, known ? &for_path : NULL, &for_package))
                        set_tool(a, &for_package);
                else if (known_tool)
                        snprintf(a->culprit_buf, sizeof(a->culprit_buf), "%s", known_tool);
        } else if (known_tool)
                snprintf(a->culprit_buf, sizeof(a->culprit_buf), "%s", known_tool);
        else
                culprit_from_process(ev);
        a->culprit = a->culprit_buf;
        find_knob(ev, kb, known ? for_path.tool : NULL);
}

void trace_attribute(struct trace_event *ev, const struct trace_knowledge *kb)
{
        attribute_with(ev, kb, NULL, 0);
}

void trace_attribute_all(struct trace_log *log, const struct trace_knowledge *kb)
{
        size_t slots = 64;

        while (slots < log->nevents && slots < PATH_MEMO_MAX)
                slots *= 2;
        struct path_memo *memo = log->nevents > 64 ? calloc(slots, sizeof(*memo)) : NULL;

        for (size_t i = 0; i < log->nevents; i++)
                attribute_with(&log->events[i], kb, memo, slots);
        free(memo);
}
