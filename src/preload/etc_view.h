/* The files the C library reads through its own internal calls (/etc/passwd, /etc/group,
 * /etc/shadow, /etc/hosts, /etc/localtime): whether the upper changed one, and a read-only
 * mapping of its merged copy for the wrappers that answer in libc's place (docs/design.md
 * "Files the C library reads by itself"). */
#ifndef PRELOAD_ETC_VIEW_H
#define PRELOAD_ETC_VIEW_H

#include <stddef.h>

struct etc_view {
        const char *data;       /* the merged copy's bytes (NULL and len 0 when deleted) */
        size_t len;
        void *map;              /* munmap'd by etc_view_close */
        size_t map_len;
};

enum { ETC_UNCHANGED = 0, ETC_CHANGED = 1 };

/* True when the upper may hold abs: a memory-only test (no syscall), the pass-through check
 * every wrapper makes first. */
int etc_view_maybe_changed(const char *abs);

/* Writes the real path of abs's merged copy into real (PATH_MAX) after following symlinks in
 * the merged view. Returns ETC_CHANGED when the upper holds or deleted it (real is "" when
 * deleted), ETC_UNCHANGED when libc's own reading is right, or -errno. */
int etc_view_real_path(const char *abs, char *real, size_t size);

/* Maps the merged copy of abs. Returns ETC_CHANGED (v filled; empty when the upper deleted
 * it), ETC_UNCHANGED (nothing to do, v untouched), or -errno. Saves and restores errno. */
int etc_view_open(const char *abs, struct etc_view *v);
void etc_view_close(struct etc_view *v);

/* The next line from *pos (without its newline). Returns 1 with *line and *len set, 0 at the end. */
int etc_view_next(const struct etc_view *v, size_t *pos, const char **line, size_t *len);

#endif
