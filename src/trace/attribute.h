/* Attribution: who to blame for an event (a Python package and line, a shared object, or the
 * program) and the fix, from the knowledge base. */
#ifndef TRACE_ATTRIBUTE_H
#define TRACE_ATTRIBUTE_H

#include <stddef.h>

#include "trace/events.h"
#include "trace/knowledge.h"

/* Fills ev->attr from the event, its process and Python records, and the knowledge base kb
 * (NULL: no tool is known; culprits are still named). Strings in ev->attr may point into kb:
 * free kb after the last use of the log's attribution. */
void trace_attribute(struct trace_event *ev, const struct trace_knowledge *kb);

/* Attributes every event of the log. */
void trace_attribute_all(struct trace_log *log, const struct trace_knowledge *kb);

/* The package of a Python source file: the first component under site-packages/dist-packages
 * ("jinja2"), else the module's file name without ".py" ("store"). Writes to buf. */
void trace_python_package(const char *file, char *buf, size_t size);

/* A Python frame for people: "jinja2/bccache.py:254" under site-packages, else "/app/x.py:12". */
void trace_frame_format(const struct trace_frame *f, char *buf, size_t size);


#endif
