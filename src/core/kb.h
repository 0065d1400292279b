/* The knowledge base: where tools write by default, what moves it, and what they do when the
 * write fails. Data lives in data/kb/<tool>.json (schema: data/kb.schema.json, docs/doctor.md),
 * compiled into rwshim at build time (kb_embedded.h); this module loads it with jansson and
 * attributes an absolute path to the tool that writes it.
 * Used by trace, check and doctor. NOT preload-safe: it allocates and uses stdio.
 *
 * Path templates are absolute paths with variables, expanded from a struct rw_kb_ctx:
 *   {home} {xdg_cache} {xdg_config} {xdg_data} {xdg_state} {xdg_runtime} {tmp} {cwd}
 *   {uid} {user} {site_packages} (any .../site-packages or .../dist-packages dir)
 * plus fnmatch wildcards ('*' also matches '/'). {cache_root} and {state_root} appear only in
 * "relocate" templates: the writable dirs the fix creates (see doctor). */
#ifndef RW_KB_H
#define RW_KB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/err.h"

struct rw_kb_path {
        const char *template;   /* "{xdg_config}/matplotlib" */
        const char *type;       /* "dir" or "file" */
        const char *purpose;    /* cache, config, data, state, tmp, runtime, history, log, lock */
        const char *computed;   /* how the tool computes it (prose) */
        const char *env;        /* the env var that moves this path, or NULL */
        const char *env_suffix; /* the path is $env/<env_suffix>; NULL: $env is the path itself */
        const char *relocate;   /* where the fix moves it (template), or NULL: keep it, mount it */
        bool ram_ok;            /* only a cache: a RAM-backed volume is enough */
};

struct rw_kb_setting {
        const char *kind;       /* "env", "flag" or "config" */
        const char *name;       /* "MPLCONFIGDIR", "--cache-dir", "cache_dir in pip.conf" */
        const char *effect;     /* what it changes (prose) */
};

struct rw_kb_tool {
        const char *name;           /* "matplotlib"; also the file name data/kb/<name>.json */
        const char *ecosystem;      /* python, node, go, rust, jvm, dotnet, system, cloud, ... */
        const char *summary;        /* one line: what it writes */
        const char *read_at;        /* when the location is computed: import, start, first-use, ... */
        const char *on_failure;     /* crash, fallback, degrade or silent */
        const char *failure_detail; /* what the user sees */
        const char *fix;            /* the one-line fix */
        const char *source;         /* URL of the documentation the entry relies on */
        const struct rw_kb_path *paths;
        size_t n_paths;
        const struct rw_kb_setting *settings;
        size_t n_settings;
        const char *const *commands;        /* executables whose presence on PATH means "present" */
        size_t n_commands;
        const char *const *python_modules;  /* top-level modules that mean "present" */
        size_t n_python_modules;
};

struct rw_kb;   /* opaque: the loaded tools, sorted by name */

/* The values templates expand to. NULL fields take the XDG defaults ({xdg_cache} is
 * {home}/.cache, {tmp} is /tmp, ...); uid < 0 and user NULL match any. */
struct rw_kb_ctx {
        const char *home;
        const char *tmpdir;
        const char *xdg_cache_home;
        const char *xdg_config_home;
        const char *xdg_data_home;
        const char *xdg_state_home;
        const char *xdg_runtime_dir;
        const char *cwd;
        const char *user;
        long uid;
};

struct rw_kb_match {
        const struct rw_kb_tool *tool;
        const struct rw_kb_path *path;
        char dir[4096];         /* the part of the queried path that the template names */
        int score;              /* higher is more specific; used to pick among candidates */
};

/* Loads every DIR/kb/<name>.json (in name order). Returns the number of tools, or -errno with e set
 * (a file that is not valid JSON or lacks a required field is -EINVAL, naming the file). */
int rw_kb_load(const char *dir, struct rw_kb **ret_kb, struct rw_err *e);
/* The knowledge base users get: the one compiled into rwshim (data/kb at build time), then the
 * override directory's files (rw_kb_override_dir), each adding a tool or replacing the built-in
 * one of the same "tool" name. override (size bytes) receives the directory used, "" for none.
 * Returns the number of tools, or -errno with e naming the unreadable or malformed file. */
int rw_kb_load_default(struct rw_kb **ret_kb, char *override, size_t size, struct rw_err *e);
void rw_kb_free(struct rw_kb *kb);

size_t rw_kb_count(const struct rw_kb *kb);
const struct rw_kb_tool *rw_kb_tool_at(const struct rw_kb *kb, size_t i);
const struct rw_kb_tool *rw_kb_find(const struct rw_kb *kb, const char *name);

/* Fills ctx from the environment of this process (HOME, TMPDIR, XDG_*, cwd, uid). The strings
 * point into environ or into cwd_buf. */
void rw_kb_ctx_from_env(struct rw_kb_ctx *ctx, char *cwd_buf, size_t cwd_size);

/* Finds the tool whose template names abs_path or one of its ancestors; the most specific
 * template wins. Values from ctx are tried first, then generic ones ({home} as any dir), so a
 * trace taken with another HOME still matches. Returns 1 with ret filled, 0 if no tool matches,
 * -EINVAL if abs_path is not absolute. */
int rw_kb_match_path(const struct rw_kb *kb, const char *abs_path, const struct rw_kb_ctx *ctx,
                     struct rw_kb_match *ret);

/* Expands a template with ctx (no generic alternatives; {site_packages} stays "*"), plus
 * {cache_root} and {state_root} when given. Returns the length or -ENAMETOOLONG. */
int rw_kb_expand(const char *template, const struct rw_kb_ctx *ctx, const char *cache_root,
                 const char *state_root, char *buf, size_t size);

/* Finds the override directory for local additions: $RWSHIM_DATA/kb when RWSHIM_DATA is set (it
 * must exist), else <exe dir>/../share/rwshim/kb if it exists. Returns 0 with buf filled ("" when
 * there is none), or -errno with e set. */
int rw_kb_override_dir(char *buf, size_t size, struct rw_err *e);

/* The same matching, with every template expanded once for ctx: for matching many paths
 * (a trace's events), where expanding per path would dominate. ctx must outlive it. */
struct rw_kb_matcher;
int rw_kb_matcher_new(const struct rw_kb *kb, const struct rw_kb_ctx *ctx, struct rw_kb_matcher **ret);
/* Same contract as rw_kb_match_path. Indexed: only the patterns whose literal part the path can
 * contain are tried (see kb.c). */
int rw_kb_matcher_match(const struct rw_kb_matcher *mt, const char *abs_path, struct rw_kb_match *ret);
/* The same answer by trying every pattern: the reference the index is tested against. */
int rw_kb_matcher_match_scan(const struct rw_kb_matcher *mt, const char *abs_path,
                             struct rw_kb_match *ret);
void rw_kb_matcher_free(struct rw_kb_matcher *mt);

#endif
