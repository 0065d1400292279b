/* Knowledge base: loading data/kb/<tool>.json and attributing a path to a tool. See kb.h.
 * Not preload-safe (jansson, malloc, stdio). */
#include "core/kb.h"
#include "core/kb_embedded.h"
#include "core/self_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct rw_kb {
        json_t **roots;             /* one per file; every string in tools points into them */
        size_t n_roots;
        struct rw_kb_tool *tools;
        size_t n_tools;
};

/* ---- loading ---------------------------------------------------------------------------- */

static const char *opt_string(json_t *obj, const char *key)
{
        json_t *v = json_object_get(obj, key);

        return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Zeroed room for one element per entry of the JSON array arr (absent: none, unless required).
 * Returns the memory with *ret_n set, or NULL with *err = -EINVAL (not an array, or a required
 * one absent or empty) or -ENOMEM; NULL with *err = 0 for an absent optional array. */
static void *alloc_elements(json_t *arr, size_t elem_size, int required, size_t *ret_n, int *err)
{
        size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
        void *p;

        *ret_n = 0;
        *err = 0;
        if (!arr) {
                *err = required ? -EINVAL : 0;
                return NULL;
        }
        if (!json_is_array(arr) || (required && n == 0)) {
                *err = -EINVAL;
                return NULL;
        }
        if (!(p = calloc(n ? n : 1, elem_size))) {
                *err = -ENOMEM;
                return NULL;
        }
        *ret_n = n;
        return p;
}

/* Collects the strings of a JSON array into a NULL-free array. Returns 0 or -ENOMEM/-EINVAL. */
static int load_string_array(json_t *arr, const char *const **ret, size_t *ret_n)
{
        const char **out;
        size_t i, n;
        int err;

        *ret = NULL;
        *ret_n = 0;
        if (!(out = alloc_elements(arr, sizeof(*out), 0, &n, &err)))
                return err;
        for (i = 0; i < n; i++) {
                out[i] = json_string_value(json_array_get(arr, i));
                if (!out[i]) {
                        free(out);
                        return -EINVAL;
                }
        }
        *ret = out;
        *ret_n = n;
        return 0;
}

static int load_paths(json_t *arr, struct rw_kb_tool *t)
{
        struct rw_kb_path *p;
        size_t i, n;
        int err;

        if (!(p = alloc_elements(arr, sizeof(*p), 1, &n, &err)))
                return err;
        t->paths = p;
        t->n_paths = n;
        for (i = 0; i < n; i++) {
                json_t *o = json_array_get(arr, i);

                p[i].template = opt_string(o, "template");
                p[i].type = opt_string(o, "type");
                p[i].purpose = opt_string(o, "purpose");
                p[i].computed = opt_string(o, "computed");
                p[i].env = opt_string(o, "env");
                p[i].env_suffix = opt_string(o, "env_suffix");
                p[i].relocate = opt_string(o, "relocate");
                p[i].ram_ok = json_is_true(json_object_get(o, "ram_ok"));
                if (!p[i].template || (p[i].template[0] != '{' && p[i].template[0] != '/'))
                        return -EINVAL;
                if (!p[i].type)
                        p[i].type = "dir";
                if (!p[i].purpose)
                        return -EINVAL;
        }
        return 0;
}

static int load_settings(json_t *arr, struct rw_kb_tool *t)
{
        struct rw_kb_setting *s;
        size_t i, n;
        int err;

        if (!(s = alloc_elements(arr, sizeof(*s), 0, &n, &err)))
                return err;
        t->settings = s;
        t->n_settings = n;
        for (i = 0; i < n; i++) {
                json_t *o = json_array_get(arr, i);

                s[i].kind = opt_string(o, "kind");
                s[i].name = opt_string(o, "name");
                s[i].effect = opt_string(o, "effect");
                if (!s[i].kind || !s[i].name)
                        return -EINVAL;
        }
        return 0;
}

/* Fills t from one parsed file. Required: tool, paths, on_failure, fix, source. */
static int load_tool(json_t *root, struct rw_kb_tool *t)
{
        json_t *detect = json_object_get(root, "detect");
        int r;

        t->name = opt_string(root, "tool");
        t->ecosystem = opt_string(root, "ecosystem");
        t->summary = opt_string(root, "summary");
        t->read_at = opt_string(root, "read_at");
        t->on_failure = opt_string(root, "on_failure");
        t->failure_detail = opt_string(root, "failure_detail");
        t->fix = opt_string(root, "fix");
        t->source = opt_string(root, "source");
        if (!t->name || !t->on_failure || !t->fix || !t->source)
                return -EINVAL;
        r = load_paths(json_object_get(root, "paths"), t);
        if (r < 0)
                return r;
        r = load_settings(json_object_get(root, "settings"), t);
        if (r < 0)
                return r;
        r = load_string_array(json_object_get(detect, "commands"), &t->commands, &t->n_commands);
        if (r < 0)
                return r;
        return load_string_array(json_object_get(detect, "python_modules"), &t->python_modules,
                                 &t->n_python_modules);
}

static void free_tool(struct rw_kb_tool *t)
{
        free((void *)t->paths);
        free((void *)t->settings);
        free((void *)t->commands);
        free((void *)t->python_modules);
}

void rw_kb_free(struct rw_kb *kb)
{
        if (!kb)
                return;
        for (size_t i = 0; i < kb->n_tools; i++)
                free_tool(&kb->tools[i]);
        for (size_t i = 0; i < kb->n_roots; i++)
                json_decref(kb->roots[i]);
        free(kb->tools);
        free(kb->roots);
        free(kb);
}

static int is_json_name(const struct dirent *d)
{
        size_t n = strlen(d->d_name);

        return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

/* Room for one more parsed file. Returns 0 or -ENOMEM. */
static int kb_grow(struct rw_kb *kb)
{
        size_t n = kb->n_roots + 1;
        json_t **roots = realloc(kb->roots, n * sizeof(*roots));
        struct rw_kb_tool *tools;

        if (!roots)
                return -ENOMEM;
        kb->roots = roots;
        if (!(tools = realloc(kb->tools, n * sizeof(*tools))))
                return -ENOMEM;
        kb->tools = tools;
        return 0;
}

/* A later entry of an existing name (an override) takes the earlier one's place. */
static void kb_replace_same_name(struct rw_kb *kb)
{
        struct rw_kb_tool *last = &kb->tools[kb->n_tools - 1];

        for (size_t i = 0; i + 1 < kb->n_tools; i++) {
                if (strcmp(kb->tools[i].name, last->name) != 0)
                        continue;
                free_tool(&kb->tools[i]);
                kb->tools[i] = *last;
                kb->n_tools--;
                return;
        }
}

/* Adds one parsed document (owned by kb from here on) as a tool; on error e names where it is. */
static int add_root(struct rw_kb *kb, json_t *root, const char *where, struct rw_err *e)
{
        int r;

        if (kb_grow(kb) < 0) {
                json_decref(root);
                return rw_err_set(e, ENOMEM, "load knowledge base", where);
        }
        kb->roots[kb->n_roots++] = root;
        memset(&kb->tools[kb->n_tools], 0, sizeof(kb->tools[0]));
        r = load_tool(root, &kb->tools[kb->n_tools]);
        kb->n_tools++;    /* counted even on error, so rw_kb_free releases its arrays */
        if (r == -EINVAL) {
                rw_err_set(e, EINVAL, "invalid knowledge-base entry", where);
                return rw_err_hint(e, "see data/kb.schema.json for the required fields");
        }
        if (r < 0)
                return rw_err_set(e, -r, "load knowledge base", where);
        kb_replace_same_name(kb);
        return 0;
}

static int parse_error(struct rw_err *e, const char *where, const json_error_t *jerr)
{
        rw_err_set(e, EINVAL, "parse knowledge base", where);
        return rw_err_hint(e, "line %d: %s", jerr->line, jerr->text);
}

/* Reads the whole of fd into a NUL-terminated buffer the caller frees. Returns 0 or -errno. */
static int read_all(int fd, char **ret, size_t *ret_n)
{
        size_t n = 0, cap = 16384;
        char *buf = malloc(cap), *grown;
        ssize_t got;

        while (buf) {
                if (n + 1 >= cap) {
                        if (!(grown = realloc(buf, cap * 2)))
                                break;
                        buf = grown;
                        cap *= 2;
                }
                got = read(fd, buf + n, cap - n - 1);
                if (got < 0 && errno == EINTR)
                        continue;
                if (got < 0) {
                        int err = errno;

                        free(buf);
                        return -err;
                }
                if (got == 0) {
                        buf[n] = '\0';
                        *ret = buf;
                        *ret_n = n;
                        return 0;
                }
                n += (size_t)got;
        }
        free(buf);
        return -ENOMEM;
}

/* Parses one file; an unreadable one is its errno, naming the file. */
static int load_file(struct rw_kb *kb, const char *path, struct rw_err *e)
{
        json_error_t jerr;
        json_t *root;
        char *text = NULL;
        size_t len = 0;
        int fd = open(path, O_RDONLY | O_CLOEXEC), r;

        if (fd < 0)
                return rw_err_set(e, errno, "read knowledge base", path);
        r = read_all(fd, &text, &len);
        close(fd);
        if (r < 0)
                return rw_err_set(e, -r, "read knowledge base", path);
        root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        free(text);
        if (!root)
                return parse_error(e, path, &jerr);
        return add_root(kb, root, path, e);
}

/* Adds every KBDIR/<name>.json, in name order. */
static int load_dir(struct rw_kb *kb, const char *kbdir, struct rw_err *e)
{
        struct dirent **names = NULL;
        char path[PATH_MAX];
        int n, r = 0;

        n = scandir(kbdir, &names, is_json_name, alphasort);
        if (n < 0)
                return rw_err_set(e, errno, "open knowledge base", kbdir);
        for (int i = 0; i < n; i++) {
                if (r == 0 && (size_t)snprintf(path, sizeof(path), "%s/%s", kbdir,
                                               names[i]->d_name) >= sizeof(path))
                        r = rw_err_set(e, ENAMETOOLONG, "open knowledge base", names[i]->d_name);
                if (r == 0)
                        r = load_file(kb, path, e);
                free(names[i]);
        }
        free(names);
        return r;
}

/* Adds the knowledge base compiled into rwshim (scripts/kb-embed). */
static int load_embedded(struct rw_kb *kb, struct rw_err *e)
{
        char where[128];

        for (size_t i = 0; i < rw_kb_n_embedded; i++) {
                const struct rw_kb_blob *b = &rw_kb_embedded[i];
                json_error_t jerr;
                json_t *root = json_loadb(b->data, b->size, JSON_REJECT_DUPLICATES, &jerr);
                int r;

                snprintf(where, sizeof(where), "(built in) %s", b->name);
                if (!root)
                        return parse_error(e, where, &jerr);
                if ((r = add_root(kb, root, where, e)) < 0)
                        return r;
        }
        return 0;
}

static int by_name(const void *a, const void *b)
{
        return strcmp(((const struct rw_kb_tool *)a)->name, ((const struct rw_kb_tool *)b)->name);
}

/* Hands kb to the caller sorted by name, or frees it on error. */
static int kb_finish(struct rw_kb *kb, int r, struct rw_kb **ret_kb)
{
        if (r < 0) {
                rw_kb_free(kb);
                return r;
        }
        qsort(kb->tools, kb->n_tools, sizeof(kb->tools[0]), by_name);
        *ret_kb = kb;
        return (int)kb->n_tools;
}

int rw_kb_load(const char *dir, struct rw_kb **ret_kb, struct rw_err *e)
{
        char kbdir[PATH_MAX];
        struct rw_kb *kb;

        if ((size_t)snprintf(kbdir, sizeof(kbdir), "%s/kb", dir) >= sizeof(kbdir))
                return rw_err_set(e, ENAMETOOLONG, "open knowledge base", dir);
        if (!(kb = calloc(1, sizeof(*kb))))
                return rw_err_set(e, ENOMEM, "load knowledge base", kbdir);
        return kb_finish(kb, load_dir(kb, kbdir, e), ret_kb);
}

int rw_kb_load_default(struct rw_kb **ret_kb, char *override, size_t size, struct rw_err *e)
{
        struct rw_kb *kb;
        int r;

        if ((r = rw_kb_override_dir(override, size, e)) < 0)
                return r;
        if (!(kb = calloc(1, sizeof(*kb))))
                return rw_err_set(e, ENOMEM, "load knowledge base", "(built in)");
        r = load_embedded(kb, e);
        if (r == 0 && override[0])
                r = load_dir(kb, override, e);
        return kb_finish(kb, r, ret_kb);
}

size_t rw_kb_count(const struct rw_kb *kb)
{
        return kb->n_tools;
}

const struct rw_kb_tool *rw_kb_tool_at(const struct rw_kb *kb, size_t i)
{
        return i < kb->n_tools ? &kb->tools[i] : NULL;
}

const struct rw_kb_tool *rw_kb_find(const struct rw_kb *kb, const char *name)
{
        for (size_t i = 0; i < kb->n_tools; i++)
                if (strcmp(kb->tools[i].name, name) == 0)
                        return &kb->tools[i];
        return NULL;
}

/* ---- the override directory ------------------------------------------------------------ */

/* 1 when path is a directory, 0 when nothing is there, else -errno. */
static int dir_present(const char *path)
{
        struct stat st;

        if (stat(path, &st) == 0)
                return S_ISDIR(st.st_mode) ? 1 : -ENOTDIR;
        return errno == ENOENT ? 0 : -errno;
}

int rw_kb_override_dir(char *buf, size_t size, struct rw_err *e)
{
        const char *env = getenv("RWSHIM_DATA");
        char exe[PATH_MAX];
        int r;

        buf[0] = '\0';
        if (env && *env) {
                if ((size_t)snprintf(buf, size, "%s/kb", env) >= size)
                        return rw_err_set(e, ENAMETOOLONG, "find knowledge base ($RWSHIM_DATA)", env);
                r = dir_present(buf);
                if (r <= 0)
                        return rw_err_set(e, r ? -r : ENOENT, "find knowledge base ($RWSHIM_DATA)", buf);
                return 0;
        }
        if ((r = rw_self_dir(exe, sizeof(exe), e)) < 0)
                return r;
        if ((size_t)snprintf(buf, size, "%s/../share/rwshim/kb", exe) >= size) {
                buf[0] = '\0';
                return 0;
        }
        r = dir_present(buf);
        if (r < 0)
                return rw_err_set(e, -r, "open knowledge base", buf);
        if (r == 0)
                buf[0] = '\0';
        else if (realpath(buf, exe) && strlen(exe) < size)
                strcpy(buf, exe);       /* errors name /opt/rwshim/share/..., not bin/../share */
        return 0;
}

/* ---- template expansion ----------------------------------------------------------------- */

#define MAX_ALTS 3

struct alt {
        const char *value;      /* itself a template: may hold {home} */
        int penalty;            /* 0 for the value the context gives, more for generic ones */
};

struct expander {
        const struct rw_kb_ctx *ctx;
        const char *cache_root, *state_root;
        bool generic;           /* also try generic alternatives (matching) */
        char uid[24];
        char home[PATH_MAX];    /* ctx->home without trailing slashes ("/" becomes "") */
        void (*visit)(struct expander *x, const char *pattern, int penalty);
        void *data;
};

static size_t var_alts(struct expander *x, const char *name, struct alt *a)
{
        const struct rw_kb_ctx *c = x->ctx;
        size_t n = 0;

#define ALT(v, p) do { a[n].value = (v); a[n].penalty = (p); n++; } while (0)
#define CTX_OR(field, dflt) do { \
                if (c->field) { ALT(c->field, 0); if (x->generic) ALT(dflt, 1); } \
                else ALT(dflt, 0); } while (0)
        if (strcmp(name, "home") == 0) {
                if (c->home)
                        ALT(x->home, 0);
                if (x->generic || !c->home)
                        ALT("*", 2);
        } else if (strcmp(name, "xdg_cache") == 0) {
                CTX_OR(xdg_cache_home, "{home}/.cache");
        } else if (strcmp(name, "xdg_config") == 0) {
                CTX_OR(xdg_config_home, "{home}/.config");
        } else if (strcmp(name, "xdg_data") == 0) {
                CTX_OR(xdg_data_home, "{home}/.local/share");
        } else if (strcmp(name, "xdg_state") == 0) {
                CTX_OR(xdg_state_home, "{home}/.local/state");
        } else if (strcmp(name, "xdg_runtime") == 0) {
                CTX_OR(xdg_runtime_dir, "/run/user/{uid}");
        } else if (strcmp(name, "tmp") == 0) {
                CTX_OR(tmpdir, "/tmp");
                if (x->generic)
                        ALT("/var/tmp", 1);
        } else if (strcmp(name, "cwd") == 0) {
                CTX_OR(cwd, "*");
        } else if (strcmp(name, "uid") == 0) {
                ALT(c->uid >= 0 ? x->uid : "*", 0);
                if (x->generic && c->uid >= 0)
                        ALT("*", 1);
        } else if (strcmp(name, "user") == 0) {
                CTX_OR(user, "*");
        } else if (strcmp(name, "site_packages") == 0) {
                ALT("*/site-packages", 0);
                if (x->generic)
                        ALT("*/dist-packages", 0);
        } else if (strcmp(name, "cache_root") == 0 && x->cache_root) {
                ALT(x->cache_root, 0);
        } else if (strcmp(name, "state_root") == 0 && x->state_root) {
                ALT(x->state_root, 0);
        }
#undef CTX_OR
#undef ALT
        return n;
}

/* Expands tpl after the already-expanded prefix out[0..len) and calls x->visit for every
 * combination of alternatives. Depth bounds the nesting of templates in values. */
static int expand_rec(struct expander *x, const char *tpl, char *out, size_t len, int penalty,
                      int depth)
{
        char name[32], next[PATH_MAX];
        struct alt alts[MAX_ALTS];
        const char *end;
        size_t n, i;

        while (*tpl && *tpl != '{') {
                if (len + 1 >= PATH_MAX)
                        return -ENAMETOOLONG;
                out[len++] = *tpl++;
        }
        if (!*tpl) {
                out[len] = '\0';
                x->visit(x, out, penalty);
                return 0;
        }
        end = strchr(tpl, '}');
        if (!end || (size_t)(end - tpl - 1) >= sizeof(name) || depth > 8)
                return -EINVAL;
        memcpy(name, tpl + 1, (size_t)(end - tpl - 1));
        name[end - tpl - 1] = '\0';
        n = var_alts(x, name, alts);
        for (i = 0; i < n; i++) {
                if ((size_t)snprintf(next, sizeof(next), "%s%s", alts[i].value, end + 1) >= sizeof(next))
                        return -ENAMETOOLONG;
                int r = expand_rec(x, next, out, len, penalty + alts[i].penalty, depth + 1);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int expand_all(struct expander *x, const char *tpl)
{
        char out[PATH_MAX];
        const char *h = x->ctx->home;
        size_t hl;

        snprintf(x->uid, sizeof(x->uid), "%ld", x->ctx->uid);
        snprintf(x->home, sizeof(x->home), "%s", h ? h : "");
        hl = strlen(x->home);
        while (hl > 0 && x->home[hl - 1] == '/')
                x->home[--hl] = '\0';   /* HOME=/ gives "/.cache", not "//.cache" */
        return expand_rec(x, tpl, out, 0, 0, 0);
}

struct first_result {
        char *buf;
        size_t size;
        int len;
};

static void keep_first(struct expander *x, const char *pattern, int penalty)
{
        struct first_result *f = x->data;
        size_t n = strlen(pattern);

        (void)penalty;
        if (f->len != 0)
                return;
        if (n >= f->size) {
                f->len = -ENAMETOOLONG;
                return;
        }
        memcpy(f->buf, pattern, n + 1);
        f->len = (int)n;
}

int rw_kb_expand(const char *template, const struct rw_kb_ctx *ctx, const char *cache_root,
                 const char *state_root, char *buf, size_t size)
{
        struct first_result f = { buf, size, 0 };
        struct expander x = { .ctx = ctx, .cache_root = cache_root, .state_root = state_root,
                              .generic = false, .visit = keep_first, .data = &f };
        int r = expand_all(&x, template);

        if (r < 0)
                return r;
        return f.len != 0 ? f.len : -EINVAL;   /* 0: a variable had no value */
}

/* ---- matching --------------------------------------------------------------------------- */

struct matcher {
        const char *path;
        const struct rw_kb_tool *tool;
        const struct rw_kb_path *kpath;
        int literal;                /* literal characters of the template itself */
        struct rw_kb_match *best;
        bool found;
};

/* The longest run of characters without wildcards: a cheap strstr filter before fnmatch. */
static void longest_literal(const char *pattern, char *buf, size_t size)
{
        const char *best = pattern, *start = pattern;
        size_t best_len = 0;

        for (const char *p = pattern;; p++) {
                if (*p == '\0' || *p == '*' || *p == '?' || *p == '[') {
                        if ((size_t)(p - start) > best_len) {
                                best = start;
                                best_len = (size_t)(p - start);
                        }
                        if (*p == '\0')
                                break;
                        start = p + 1;
                }
        }
        if (best_len >= size)
                best_len = size - 1;
        memcpy(buf, best, best_len);
        buf[best_len] = '\0';
}

static int pattern_score(const struct matcher *m, const char *pattern, int penalty)
{
        int expansion = 0;

        for (const char *p = pattern; *p; p++)
                expansion += *p != '*';
        if (expansion > 127)
                expansion = 127;
        return m->literal * 1024 - penalty * 128 + expansion;
}

/* Tries pattern against the path and each of its ancestors, shortest first. */
static void visit_pattern(struct expander *x, const char *pattern, int penalty)
{
        struct matcher *m = x->data;
        char needle[PATH_MAX], prefix[PATH_MAX];
        size_t len = strlen(m->path);
        int score = pattern_score(m, pattern, penalty);

        if (m->found && score <= m->best->score)
                return;
        longest_literal(pattern, needle, sizeof(needle));
        if (!strstr(m->path, needle))
                return;
        for (size_t i = 1; i <= len; i++) {
                if (m->path[i] != '/' && m->path[i] != '\0')
                        continue;
                memcpy(prefix, m->path, i);
                prefix[i] = '\0';
                if (fnmatch(pattern, prefix, 0) != 0)
                        continue;
                m->best->tool = m->tool;
                m->best->path = m->kpath;
                m->best->score = score;
                memcpy(m->best->dir, prefix, i + 1);
                m->found = true;
                return;
        }
}

static int template_literal(const char *tpl)
{
        int n = 0, in_var = 0;

        for (; *tpl; tpl++) {
                if (*tpl == '{')
                        in_var = 1;
                else if (*tpl == '}')
                        in_var = 0;
                else if (!in_var && *tpl != '*')
                        n++;
        }
        return n;
}

int rw_kb_match_path(const struct rw_kb *kb, const char *abs_path, const struct rw_kb_ctx *ctx,
                     struct rw_kb_match *ret)
{
        struct matcher m = { .path = abs_path, .best = ret };
        struct expander x = { .ctx = ctx, .generic = true, .visit = visit_pattern, .data = &m };

        if (!abs_path || abs_path[0] != '/' || strlen(abs_path) >= sizeof(ret->dir))
                return -EINVAL;
        memset(ret, 0, sizeof(*ret));
        for (size_t i = 0; i < kb->n_tools; i++) {
                const struct rw_kb_tool *t = &kb->tools[i];

                for (size_t j = 0; j < t->n_paths; j++) {
                        m.tool = t;
                        m.kpath = &t->paths[j];
                        m.literal = template_literal(t->paths[j].template);
                        /* An entry whose template does not expand is skipped, not fatal. */
                        (void)expand_all(&x, t->paths[j].template);
                }
        }
        return m.found ? 1 : 0;
}

void rw_kb_ctx_from_env(struct rw_kb_ctx *ctx, char *cwd_buf, size_t cwd_size)
{
        memset(ctx, 0, sizeof(*ctx));
        ctx->home = getenv("HOME");
        ctx->tmpdir = getenv("TMPDIR");
        ctx->xdg_cache_home = getenv("XDG_CACHE_HOME");
        ctx->xdg_config_home = getenv("XDG_CONFIG_HOME");
        ctx->xdg_data_home = getenv("XDG_DATA_HOME");
        ctx->xdg_state_home = getenv("XDG_STATE_HOME");
        ctx->xdg_runtime_dir = getenv("XDG_RUNTIME_DIR");
        ctx->user = getenv("USER");
        ctx->uid = (long)getuid();
        if (cwd_buf && getcwd(cwd_buf, cwd_size))
                ctx->cwd = cwd_buf;
}

/* ---- compiled matching: the expansions of every template, computed once ---- */
struct compiled_pattern {
        char *pattern;
        char *needle;                   /* longest literal run: a cheap first filter */
        int score;
        size_t order;                   /* position in expansion order: breaks score ties */
        const struct rw_kb_tool *tool;
        const struct rw_kb_path *kpath;
};

/* The index: a path can only match a pattern whose needle it contains, so it contains every
 * IDX_GRAM-byte run of that needle. Each pattern is filed under the rarest such run of its needle
 * (hashed); a path looks up the hash of each of its own runs and tries only those patterns, plus
 * the few whose needle is shorter than IDX_GRAM (filed under IDX_BUCKETS). Patterns are kept
 * sorted by score (then expansion order), so the first candidate that matches is the answer the
 * plain scan gives, and candidates are visited in that order through a bitmap on the stack. */
#define IDX_GRAM 4
#define IDX_BITS 12
#define IDX_BUCKETS (1u << IDX_BITS)
#define IDX_MAX_PATTERNS 16384          /* bitmap of 2 KiB on the stack; beyond it: plain scan */

struct rw_kb_matcher {
        struct compiled_pattern *p;
        size_t n, cap;
        int literal;                    /* of the template being expanded */
        const struct rw_kb_tool *tool;
        const struct rw_kb_path *kpath;
        int failed;
        uint32_t *bucket_start;         /* IDX_BUCKETS + 2 offsets into bucket_pat; NULL: no index */
        uint32_t *bucket_pat;           /* pattern positions, bucket by bucket */
};

static void record_pattern(struct expander *x, const char *pattern, int penalty)
{
        struct rw_kb_matcher *mt = x->data;
        struct matcher scorer = { .literal = mt->literal };
        char needle[PATH_MAX];

        if (mt->n == mt->cap) {
                size_t cap = mt->cap ? 2 * mt->cap : 256;
                struct compiled_pattern *np = realloc(mt->p, cap * sizeof(*np));
                if (!np) {
                        mt->failed = 1;
                        return;
                }
                mt->p = np;
                mt->cap = cap;
        }
        longest_literal(pattern, needle, sizeof(needle));
        struct compiled_pattern *c = &mt->p[mt->n];
        c->pattern = strdup(pattern);
        c->needle = strdup(needle);
        if (!c->pattern || !c->needle) {
                free(c->pattern);
                free(c->needle);
                mt->failed = 1;
                return;
        }
        c->score = pattern_score(&scorer, pattern, penalty);
        c->order = mt->n;
        c->tool = mt->tool;
        c->kpath = mt->kpath;
        mt->n++;
}

static uint32_t gram_hash(const char *s)
{
        uint32_t v;

        memcpy(&v, s, IDX_GRAM);
        return (v * 2654435761u) >> (32 - IDX_BITS);
}

/* Higher score first; equal scores keep expansion order (the plain scan keeps the first). */
static int by_rank(const void *a, const void *b)
{
        const struct compiled_pattern *x = a, *y = b;

        if (x->score != y->score)
                return x->score > y->score ? -1 : 1;
        return x->order < y->order ? -1 : x->order > y->order;
}

/* The bucket pattern c is filed under: its needle's rarest gram (by counts), or IDX_BUCKETS. */
static uint32_t pattern_bucket(const struct compiled_pattern *c, const uint32_t *counts)
{
        size_t len = strlen(c->needle);
        uint32_t best = IDX_BUCKETS;

        for (size_t i = 0; i + IDX_GRAM <= len; i++) {
                uint32_t h = gram_hash(c->needle + i);

                if (best == IDX_BUCKETS || counts[h] < counts[best])
                        best = h;
        }
        return best;
}

/* Sorts the patterns by rank and files each in one bucket. Returns 0 or -ENOMEM. */
static int build_index(struct rw_kb_matcher *mt)
{
        uint32_t *counts, *start, *pat, *fill;

        if (mt->n > 1)
                qsort(mt->p, mt->n, sizeof(mt->p[0]), by_rank);
        if (mt->n > IDX_MAX_PATTERNS)
                return 0;       /* no index: rw_kb_matcher_match scans */
        counts = calloc(IDX_BUCKETS + 1, sizeof(*counts));
        start = calloc(IDX_BUCKETS + 2, sizeof(*start));
        pat = calloc(mt->n ? mt->n : 1, sizeof(*pat));
        fill = calloc(IDX_BUCKETS + 1, sizeof(*fill));
        if (!counts || !start || !pat || !fill) {
                free(counts);
                free(start);
                free(pat);
                free(fill);
                return -ENOMEM;
        }
        /* How many needles hold each gram (a gram repeated in one needle counts each time:
         * good enough to steer away from "/.ca" and "e/.c"). */
        for (size_t i = 0; i < mt->n; i++) {
                const char *nd = mt->p[i].needle;
                size_t len = strlen(nd);

                for (size_t j = 0; j + IDX_GRAM <= len; j++)
                        counts[gram_hash(nd + j)]++;
        }
        /* Two passes (size, then place) so each bucket lists its patterns in rank order. */
        for (size_t i = 0; i < mt->n; i++)
                start[pattern_bucket(&mt->p[i], counts) + 1]++;
        for (uint32_t b = 0; b <= IDX_BUCKETS; b++)
                start[b + 1] += start[b];
        for (size_t i = 0; i < mt->n; i++) {
                uint32_t b = pattern_bucket(&mt->p[i], counts);

                pat[start[b] + fill[b]++] = (uint32_t)i;
        }
        free(counts);
        free(fill);
        mt->bucket_start = start;
        mt->bucket_pat = pat;
        return 0;
}

int rw_kb_matcher_new(const struct rw_kb *kb, const struct rw_kb_ctx *ctx, struct rw_kb_matcher **ret)
{
        struct rw_kb_matcher *mt = calloc(1, sizeof(*mt));
        struct expander x = { .ctx = ctx, .generic = true, .visit = record_pattern, .data = mt };

        if (!mt)
                return -ENOMEM;
        for (size_t i = 0; i < kb->n_tools; i++)
                for (size_t j = 0; j < kb->tools[i].n_paths; j++) {
                        mt->tool = &kb->tools[i];
                        mt->kpath = &kb->tools[i].paths[j];
                        mt->literal = template_literal(kb->tools[i].paths[j].template);
                        (void)expand_all(&x, kb->tools[i].paths[j].template);
                }
        if (mt->failed || build_index(mt) < 0) {
                rw_kb_matcher_free(mt);
                return -ENOMEM;
        }
        *ret = mt;
        return 0;
}

/* First prefix of path (at a '/' boundary) that pattern matches, as visit_pattern does. */
static size_t matching_prefix(const char *pattern, const char *path, char *prefix)
{
        size_t len = strlen(path);

        for (size_t i = 1; i <= len; i++) {
                if (path[i] != '/' && path[i] != '\0')
                        continue;
                memcpy(prefix, path, i);
                prefix[i] = '\0';
                if (fnmatch(pattern, prefix, 0) == 0)
                        return i;
        }
        return 0;
}

/* Tries pattern i (in rank order); fills ret and returns 1 if it matches abs_path. */
static int try_pattern(const struct rw_kb_matcher *mt, size_t i, const char *abs_path,
                       struct rw_kb_match *ret)
{
        const struct compiled_pattern *c = &mt->p[i];
        char prefix[PATH_MAX];
        size_t n;

        if (!strstr(abs_path, c->needle))
                return 0;
        n = matching_prefix(c->pattern, abs_path, prefix);
        if (!n)
                return 0;
        ret->tool = c->tool;
        ret->path = c->kpath;
        ret->score = c->score;
        memcpy(ret->dir, prefix, n + 1);
        return 1;
}

int rw_kb_matcher_match_scan(const struct rw_kb_matcher *mt, const char *abs_path,
                             struct rw_kb_match *ret)
{
        if (!abs_path || abs_path[0] != '/' || strlen(abs_path) >= sizeof(ret->dir))
                return -EINVAL;
        memset(ret, 0, sizeof(*ret));
        for (size_t i = 0; i < mt->n; i++)
                if (try_pattern(mt, i, abs_path, ret))
                        return 1;       /* rank order: the first match is the best */
        return 0;
}

int rw_kb_matcher_match(const struct rw_kb_matcher *mt, const char *abs_path, struct rw_kb_match *ret)
{
        uint64_t cand[IDX_MAX_PATTERNS / 64];
        size_t len, words;

        if (!mt->bucket_start)
                return rw_kb_matcher_match_scan(mt, abs_path, ret);
        if (!abs_path || abs_path[0] != '/' || (len = strlen(abs_path)) >= sizeof(ret->dir))
                return -EINVAL;
        memset(ret, 0, sizeof(*ret));
        words = (mt->n + 63) / 64;
        memset(cand, 0, words * sizeof(cand[0]));
        for (uint32_t k = mt->bucket_start[IDX_BUCKETS]; k < mt->bucket_start[IDX_BUCKETS + 1]; k++)
                cand[mt->bucket_pat[k] / 64] |= 1ull << (mt->bucket_pat[k] % 64);
        for (size_t i = 0; i + IDX_GRAM <= len; i++) {
                uint32_t b = gram_hash(abs_path + i);

                for (uint32_t k = mt->bucket_start[b]; k < mt->bucket_start[b + 1]; k++)
                        cand[mt->bucket_pat[k] / 64] |= 1ull << (mt->bucket_pat[k] % 64);
        }
        for (size_t w = 0; w < words; w++)
                for (uint64_t bits = cand[w]; bits; bits &= bits - 1) {
                        size_t i = w * 64 + (size_t)__builtin_ctzll(bits);

                        if (try_pattern(mt, i, abs_path, ret))
                                return 1;
                }
        return 0;
}

void rw_kb_matcher_free(struct rw_kb_matcher *mt)
{
        if (!mt)
                return;
        free(mt->bucket_start);
        free(mt->bucket_pat);
        for (size_t i = 0; i < mt->n; i++) {
                free(mt->p[i].pattern);
                free(mt->p[i].needle);
        }
        free(mt->p);
        free(mt);
}
