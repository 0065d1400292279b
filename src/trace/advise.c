/* The fix for a refused event; see advise.h. */
#include "trace/advise.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/kb.h"

static int op_is(const struct trace_event *ev, const char *const *ops)
{
        for (size_t i = 0; ops[i]; i++)
                if (strcmp(ev->op, ops[i]) == 0)
                        return 1;
        return 0;
}

/* The knob's value from the knowledge base's template, as doctor computes it; its dir too. */
static void relocate(const char *template, struct rw_fix *f)
{
        const struct rw_kb_ctx ctx = { .uid = (long)getuid() };
        char value[PATH_MAX];

        if (rw_kb_expand(template, &ctx, RW_FIX_CACHE_ROOT, RW_FIX_STATE_ROOT, value, sizeof(value)) < 0)
                return;
        snprintf(f->value, sizeof(f->value), "%s", value);
        snprintf(f->path, sizeof(f->path), "%s", value);
}

void trace_event_fix(const struct trace_event *ev, struct rw_fix *ret)
{
        static const char *const creates_dir[] = { "mkdir", "mkdirat", "mkdtemp", NULL };
        static const char *const into_path2[] = { "rename", "renameat", "renameat2", "link", "linkat", NULL };
        static const char *const removes[] = { "unlink", "unlinkat", "rmdir", NULL };
        static const char *const temp_names[] = { "mkstemp", "mkostemp", "mkdtemp", "tmpfile", NULL };
        const struct trace_attr *a = &ev->attr;
        int fixed_name;

        if (a->knob_env) {
                rw_fix_knob(a->knob_env, a->knob_tool, a->knob_ram_ok, ret);
                if (a->knob_relocate)
                        relocate(a->knob_relocate, ret);
                return;
        }
        /* A rename or link creates its target; the source's dir needs the same volume, which
         * the target's fix covers when both sit in one dir (the usual temp-then-rename). */
        if (ev->path2 && op_is(ev, into_path2)) {
                rw_fix_infer(ev->path2, 0, 1, 0, ret);
                return;
        }
        fixed_name = !op_is(ev, temp_names) && !(ev->flags && strstr(ev->flags, "O_EXCL"));
        if (rw_fix_infer(ev->path, op_is(ev, creates_dir), op_is(ev, removes), fixed_name, ret) < 0) {
                memset(ret, 0, sizeof(*ret));
                ret->kind = RW_FIX_RWSHIM_RUN;
                ret->source = "inferred";
                ret->why = "a relative path: nothing to mount";
                snprintf(ret->path, sizeof(ret->path), "%s", ev->path);
        }
}

void trace_fix_sentence(const struct rw_fix *f, char *buf, size_t size)
{
        switch (f->kind) {
        case RW_FIX_KNOB:
                snprintf(buf, size, "set %s=%s and mount a writable dir there", f->env, f->value);
                break;
        case RW_FIX_MOUNT:
                snprintf(buf, size, "mount a writable dir at %s", f->path);
                break;
        case RW_FIX_FILE_MOUNT:
                snprintf(buf, size, "mount a writable file at %s (Kubernetes subPath, docker --mount type=bind)",
                         f->path);
                break;
        default:
                snprintf(buf, size, "run it under `rwshim run` (no mount for %s hides nothing)", f->path);
                break;
        }
}

int trace_fix_same(const struct rw_fix *a, const struct rw_fix *b)
{
        return a->kind == b->kind && strcmp(a->path, b->path) == 0 && strcmp(a->env, b->env) == 0;
}
