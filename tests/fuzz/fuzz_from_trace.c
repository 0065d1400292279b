/* libFuzzer: `rwshim doctor --from TRACE` (doctor/from_trace.c). The trace file is whatever
 * the user points at: a trace from another machine, a truncated one, not NDJSON at all. Its
 * paths flow into the plan and from there into every emitter (Dockerfile, Kubernetes, compose,
 * JSON, text): any bytes must give a plan or one error, never a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/kb.h"
#include "doctor/doctor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char file[128];
static FILE *sink;
static struct rw_kb *kb;
static struct rw_kb_matcher *mt;

static void remove_file(void)
{
        unlink(file);
}

static void once(void)
{
        const char *dir = getenv("RWSHIM_FUZZ_DATA");
        struct rw_err e;

        snprintf(file, sizeof(file), "/dev/shm/rwshim-fuzz-trace-%d.json", (int)getpid());
        atexit(remove_file);
        sink = fopen("/dev/null", "we");
        if (!sink || rw_kb_load(dir ? dir : "data", &kb, &e) < 0 ||
            doctor_trace_matcher_new(kb, &mt) < 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct doctor_plan p;
        struct rw_err e = { 0 };
        FILE *f;

        if (!sink)
                once();
        if (!(f = fopen(file, "we")) || fwrite(data, 1, size, f) != size || fclose(f) != 0)
                abort();
        doctor_plan_init(&p, 1000, 1000, file);
        if (doctor_from_trace(&p, mt, file, &e) >= 0) {
                doctor_plan_sort(&p);
                (void)doctor_emit_text(&p, sink);
                (void)doctor_emit_json(&p, sink);
                (void)doctor_emit_dockerfile(&p, sink);
                (void)doctor_emit_kubernetes(&p, sink);
                (void)doctor_emit_compose(&p, sink);
        }
        doctor_plan_free(&p);
        return 0;
}
