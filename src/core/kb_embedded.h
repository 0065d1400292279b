/* The knowledge base compiled into rwshim: one blob per data/kb/<tool>.json, generated at build
 * time by scripts/kb-embed (build/gen/kb_embedded.c, never committed). See kb.h. */
#ifndef RW_KB_EMBEDDED_H
#define RW_KB_EMBEDDED_H

#include <stddef.h>

struct rw_kb_blob {
        const char *name;       /* "jinja2.json" */
        const char *data;       /* the file's bytes (NUL after the last one) */
        size_t size;
};

extern const struct rw_kb_blob rw_kb_embedded[];    /* sorted by name, ends with { NULL } */
extern const size_t rw_kb_n_embedded;

#endif
