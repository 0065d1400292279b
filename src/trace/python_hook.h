/* Python attribution: puts rwshim's sitecustomize (data/python/) first on PYTHONPATH, so every
 * Python process of the run installs an audit hook that records the file and line of each write
 * into the event file. It chains to any existing sitecustomize. */
#ifndef TRACE_PYTHON_HOOK_H
#define TRACE_PYTHON_HOOK_H

#include <stddef.h>

/* Finds data/python: $RWSHIM_DATA/python, else <exe dir>/../share/rwshim/python (installed, or a
 * copied bundle), else <exe dir>/../data/python (the build tree). Returns 0 or -ENOENT. */
int trace_python_dir(char *buf, size_t size);

/* Prepends the hook dir to PYTHONPATH in our environment (inherited by CMD).
 * Returns 0, or -ENOENT when the hook is not installed (attribution then stops at the library). */
int trace_python_hook_setenv(void);

#endif
