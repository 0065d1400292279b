/* --format json: the whole plan, for scripts and CI. */
#include "doctor/doctor.h"

#include <errno.h>
#include <jansson.h>

static json_t *str_or_null(const char *s)
{
        return s ? json_string(s) : json_null();
}

static json_t *problems_json(const struct doctor_plan *p)
{
        json_t *a = json_array();

        for (size_t i = 0; i < p->n_problems; i++) {
                const struct doctor_problem *pr = &p->problems[i];

                json_array_append_new(a, json_pack("{s:s, s:s?, s:o, s:o, s:s?}",
                        "severity", doctor_severity_name(pr->severity), "what", pr->what,
                        "path", str_or_null(pr->path), "tool", str_or_null(pr->tool),
                        "fix", pr->fix));
        }
        return a;
}

static json_t *tools_json(const struct doctor_plan *p)
{
        json_t *a = json_array();

        for (size_t i = 0; i < p->n_tools; i++) {
                const struct doctor_tool *t = &p->tools[i];

                json_array_append_new(a, json_pack("{s:s, s:o, s:b, s:s, s:s}",
                        "tool", t->tool->name, "path", str_or_null(t->path), "ok", t->ok,
                        "fix", t->tool->fix, "source", t->tool->source));
        }
        return a;
}

static json_t *fix_json(const struct doctor_plan *p)
{
        json_t *env = json_object(), *dirs = json_array(), *env_proof = json_object();

        for (size_t i = 0; i < p->n_env; i++) {
                json_object_set_new(env, p->env[i].name, json_string(p->env[i].value));
                json_object_set_new(env_proof, p->env[i].name, json_string(doctor_proof_name(p->env[i].proof)));
        }
        for (size_t i = 0; i < p->n_dirs; i++) {
                const struct doctor_dir *d = &p->dirs[i];

                json_array_append_new(dirs, json_pack("{s:s, s:s, s:s, s:b, s:s?, s:s}", "path", d->path,
                                                      "kind", rw_fix_kind_name(d->kind), "source",
                                                      d->source ? d->source : "inferred", "ram", d->ram,
                                                      "reason", d->reason, "proof", doctor_proof_name(d->proof)));
        }
        return json_pack("{s:I, s:I, s:o, s:o, s:o, s:{s:b, s:b, s:s?}}", "uid", (json_int_t)p->uid, "gid",
                         (json_int_t)p->gid, "env", env, "env_proof", env_proof, "writable", dirs,
                         "proof", "ran", p->proved, "passed", p->passed, "note", p->proof_note);
}

int doctor_emit_json(const struct doctor_plan *p, FILE *out)
{
        json_t *root = json_pack("{s:s, s:o, s:o, s:o}", "source", p->source,
                                 "problems", problems_json(p), "tools", tools_json(p),
                                 "fix", fix_json(p));
        int r;

        if (!root)
                return -ENOMEM;
        r = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(root);
        fputc('\n', out);
        return r < 0 || ferror(out) ? -EIO : 0;
}
