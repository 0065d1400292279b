/* NDJSON output; see json_out.h. Each line is an {"ev":"fs"} record of src/core/event.h with the
 * process and the attribution added. Keys with no value are null, never missing, except the
 * optional "tool", "knob", "effect" and "python", present only when known. Every refused event
 * carries its fix: "fix" (one line for people: the knowledge base's, else ours) and the change
 * itself, "fix_kind" (knob, mount, file-mount, rwshim-run), "fix_path" (the mount point, the file,
 * or the dir a knob's value needs), "fix_env" and "fix_value" (knob only) and "fix_source"
 * ("kb" or "inferred"). */
#include "trace/json_out.h"

#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <stdlib.h>

#include "trace/advise.h"
#include "trace/events.h"

static json_t *str_or_null(const char *s)
{
        return s ? json_string(s) : json_null();
}

static json_t *python_stack(const struct trace_py *py)
{
        json_t *arr = json_array();

        for (int i = 0; i < py->nframes; i++)
                json_array_append_new(arr, json_pack("{s:s,s:I}", "file", py->frames[i].file,
                                                     "line", (json_int_t)py->frames[i].line));
        return arr;
}

static void add_process(json_t *o, const struct trace_event *ev)
{
        const struct trace_proc *p = ev->proc;

        json_object_set_new(o, "ppid", p ? json_integer(p->ppid) : json_null());
        json_object_set_new(o, "exe", str_or_null(p ? p->exe : NULL));
        json_object_set(o, "argv", p && p->argv ? p->argv : json_null());
}

static void add_fix(json_t *o, const struct trace_event *ev)
{
        struct rw_fix f;
        char sentence[PATH_MAX + 128];

        trace_event_fix(ev, &f);
        if (!ev->attr.fix) {
                trace_fix_sentence(&f, sentence, sizeof(sentence));
                json_object_set_new(o, "fix", json_string(sentence));
        }
        json_object_set_new(o, "fix_kind", json_string(rw_fix_kind_name(f.kind)));
        json_object_set_new(o, "fix_path", json_string(f.path));
        if (f.kind == RW_FIX_KNOB) {
                json_object_set_new(o, "fix_env", json_string(f.env));
                json_object_set_new(o, "fix_value", json_string(f.value));
        }
        json_object_set_new(o, "fix_source", json_string(f.source));
}

static void add_attribution(json_t *o, const struct trace_event *ev)
{
        const struct trace_attr *a = &ev->attr;

        json_object_set_new(o, "culprit", str_or_null(a->culprit));
        if (a->tool)
                json_object_set_new(o, "tool", json_string(a->tool));
        if (a->knob)
                json_object_set_new(o, "knob", json_string(a->knob));
        if (a->fix)
                json_object_set_new(o, "fix", json_string(a->fix));
        if (trace_event_denied(ev))
                add_fix(o, ev);
        if (a->effect)
                json_object_set_new(o, "effect", json_string(a->effect));
        if (ev->py)
                json_object_set_new(o, "python", python_stack(ev->py));
}

static json_t *event_object(const struct trace_event *ev)
{
        json_t *o = json_object();

        json_object_set_new(o, "ev", json_string("fs"));
        json_object_set_new(o, "pid", json_integer(ev->pid));
        add_process(o, ev);
        json_object_set_new(o, "op", json_string(ev->op));
        json_object_set_new(o, "path", json_string(ev->path));
        json_object_set_new(o, "path2", str_or_null(ev->path2));
        json_object_set_new(o, "flags", str_or_null(ev->flags));
        json_object_set_new(o, "errno", str_or_null(ev->errname));
        json_object_set_new(o, "action", str_or_null(ev->action));
        json_object_set_new(o, "denied", json_boolean(trace_event_denied(ev)));
        json_object_set_new(o, "write", json_boolean(trace_event_is_write(ev)));
        json_object_set_new(o, "caller", str_or_null(ev->caller));
        add_attribution(o, ev);
        return o;
}

long trace_json_write(FILE *out, const struct trace_log *log,
                      int (*include)(const struct trace_event *ev, void *ctx), void *ctx)
{
        long lines = 0;

        for (size_t i = 0; i < log->nevents; i++) {
                json_t *o;
                char *text;

                if (include && !include(&log->events[i], ctx))
                        continue;
                o = event_object(&log->events[i]);
                text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
                json_decref(o);
                if (!text)
                        return -ENOMEM;
                fprintf(out, "%s\n", text);
                free(text);
                lines++;
        }
        return fflush(out) == EOF ? -errno : lines;
}
