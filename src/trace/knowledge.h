/* What rwshim knows about a path: which tool writes there, the knob that moves it, and what the
 * program does when the write is refused. Until the shared knowledge base (core/kb.h) serves
 * trace, this small built-in table answers; the rest of trace only calls trace_knowledge(). */
#ifndef TRACE_KNOWLEDGE_H
#define TRACE_KNOWLEDGE_H

struct trace_knowledge_entry {
        const char *tool;      /* "CPython", "matplotlib", ... */
        const char *fix;       /* env var / flag / config key, said as an instruction */
        const char *effect;    /* what the tool does when the write is refused, or NULL */
};

/* Looks path up; returns the entry or NULL when nothing is known. */
const struct trace_knowledge_entry *trace_knowledge(const char *path);

/* Looks a tool up by name ("matplotlib", as blamed from a Python stack), or NULL. */
const struct trace_knowledge_entry *trace_knowledge_tool(const char *name);

#endif
