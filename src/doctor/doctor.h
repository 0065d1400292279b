/* rwshim doctor: an audit of the environment (or of a trace) becomes a fix plan, which the
 * emitters print as text, JSON, a Dockerfile fragment, a Kubernetes patch or a compose service.
 * The plan is the single model every emitter reads, so all formats always agree. */
#ifndef DOCTOR_DOCTOR_H
#define DOCTOR_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/advice.h"
#include "core/err.h"
#include "core/kb.h"

/* Where the fix puts what it has to move: a writable home, a RAM-backed cache root and a
 * disk-backed state root. Documented in docs/doctor.md. */
#define DOCTOR_HOME       "/home/app"
#define DOCTOR_CACHE_ROOT RW_FIX_CACHE_ROOT
#define DOCTOR_STATE_ROOT RW_FIX_STATE_ROOT

/* What --prove found for one part of the fix. */
enum doctor_proof { DOCTOR_UNPROVEN, DOCTOR_PROVEN, DOCTOR_NOT_ENOUGH, DOCTOR_NOT_NEEDED };

enum doctor_severity { DOCTOR_ERROR, DOCTOR_WARNING, DOCTOR_INFO };

struct doctor_problem {
        enum doctor_severity severity;
        char *what;     /* one line: the problem */
        char *path;     /* the path concerned, or NULL */
        char *tool;     /* the knowledge-base tool concerned, or NULL */
        char *fix;      /* one line: what to do */
};

struct doctor_env {
        char *name;
        char *value;
        char *reason;
        enum doctor_proof proof;
};

struct doctor_dir {
        char *path;     /* must be writable by the app */
        bool ram;       /* only caches/temp files live there: RAM-backed is fine */
        char *reason;
        enum rw_fix_kind kind;  /* RW_FIX_MOUNT, RW_FIX_FILE_MOUNT (one file), RW_FIX_RWSHIM_RUN
                                 * (no mount hides nothing: run under rwshim; emitted as advice) */
        const char *source;     /* "kb" or "inferred" */
        enum doctor_proof proof;
};

struct doctor_tool {
        const struct rw_kb_tool *tool;
        char *path;     /* an observed or default path of it */
        bool ok;        /* its default paths are writable here */
};

struct doctor_plan {
        struct doctor_problem *problems;
        size_t n_problems;
        struct doctor_env *env;
        size_t n_env;
        struct doctor_dir *dirs;
        size_t n_dirs;
        struct doctor_tool *tools;
        size_t n_tools;
        long uid, gid;          /* the user the fix runs the app as */
        const char *source;     /* "environment" or the trace file */
        char **argv;            /* --from: the traced command (NULL-terminated), or NULL */
        bool proved;            /* --prove ran: proof fields are set */
        bool passed;            /* ... and the command passed with the fix */
        bool unproven_too;      /* emit fixes --prove did not prove (--unproven) */
        char *proof_note;       /* one line: what the proof run saw */
};

/* plan.c: building the plan. Strings are copied. All return 0 or -ENOMEM. */
void doctor_plan_init(struct doctor_plan *p, long uid, long gid, const char *source);
void doctor_plan_free(struct doctor_plan *p);
int doctor_problem(struct doctor_plan *p, enum doctor_severity sev, const char *path,
                   const char *tool, const char *what, const char *fix);
/* Keeps the first value set for a name: the earliest (most important) finding wins. */
int doctor_add_env(struct doctor_plan *p, const char *name, const char *value, const char *reason);
/* Adds a writable dir; a dir under one already listed is folded into it. */
int doctor_add_dir(struct doctor_plan *p, const char *path, bool ram, const char *reason);
/* Same for any inferred kind of fix (core/advice.h): a file mount or rwshim run under a listed
 * dir is folded into it; source is "kb" or "inferred". */
int doctor_add_fix(struct doctor_plan *p, const struct rw_fix *f, bool ram, const char *reason);
/* 1 if an emitter prints this part: always without --prove; with it, only proven parts unless
 * --unproven. */
bool doctor_env_emitted(const struct doctor_plan *p, const struct doctor_env *v);
bool doctor_dir_emitted(const struct doctor_plan *p, const struct doctor_dir *d);
const char *doctor_proof_name(enum doctor_proof proof);
/* "# proven: ..." / "# not proven, left out: ..." comment lines for the deployment formats. */
void doctor_emit_proof_comments(const struct doctor_plan *p, FILE *out);
int doctor_add_tool(struct doctor_plan *p, const struct rw_kb_tool *t, const char *path, bool ok);
const struct doctor_env *doctor_find_env(const struct doctor_plan *p, const char *name);
const char *doctor_severity_name(enum doctor_severity s);
void doctor_plan_sort(struct doctor_plan *p);

/* fix.c: turns "tool T writes dir D (its entry kp)" into env vars and writable dirs. */
int doctor_fix_kb_path(struct doctor_plan *p, const struct rw_kb_tool *t,
                       const struct rw_kb_path *kp, const char *dir);
/* The fix a plain path needs (no KB entry), by what this machine holds (core/advice.h). */
int doctor_fix_plain_path(struct doctor_plan *p, const char *path, bool is_dir, bool replaces,
                          bool fixed_name, const char *reason);

/* audit*.c: the running environment. */
int doctor_audit(struct doctor_plan *p, const struct rw_kb *kb, struct rw_err *e);
int doctor_audit_identity(struct doctor_plan *p, bool *ret_home_fixed);
int doctor_audit_tmp(struct doctor_plan *p);
int doctor_audit_mounts(struct doctor_plan *p);
/* Fills ret_sites (NULL-terminated, malloc'd) with the site-packages dirs of every python3 on
 * PATH, reporting unwritable ones. */
int doctor_audit_python(struct doctor_plan *p, char ***ret_sites);
int doctor_audit_tools(struct doctor_plan *p, const struct rw_kb *kb, char **sites,
                       bool home_fixed);
/* True if the current user could create or write path (the nearest existing ancestor). */
bool doctor_path_writable(const char *path);

/* from_trace.c: the fix from the paths a trace observed, matched against the KB through a
 * matcher made once (every template expanded once, not once per path). */
int doctor_trace_matcher_new(const struct rw_kb *kb, struct rw_kb_matcher **ret);
int doctor_from_trace(struct doctor_plan *p, const struct rw_kb_matcher *mt, const char *file,
                      struct rw_err *e);

/* emit_*.c: one format each. Return 0 or -errno (a write error on out). */
int doctor_emit_text(const struct doctor_plan *p, FILE *out);
int doctor_emit_json(const struct doctor_plan *p, FILE *out);
int doctor_emit_dockerfile(const struct doctor_plan *p, FILE *out);
int doctor_emit_kubernetes(const struct doctor_plan *p, FILE *out);
int doctor_emit_compose(const struct doctor_plan *p, FILE *out);
/* emit_yaml.c: a YAML double-quoted scalar (JSON escaping is valid YAML). */
void doctor_yaml_quote(FILE *out, const char *s);

#endif
