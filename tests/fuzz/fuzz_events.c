/* libFuzzer: the NDJSON event stream as trace and check read it back (trace/events.c) and
 * everything that consumes it: attribution against the knowledge base, the report and the
 * --json output. Any process of the run appends to the stream (the preload, the supervisor,
 * the Python hook), a killed writer leaves a torn line, and a program can write to the file
 * itself: any bytes must give a report or an error, never a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "trace/attribute.h"
#include "trace/events.h"
#include "trace/json_out.h"
#include "trace/knowledge.h"
#include "trace/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static FILE *sink;
static struct trace_knowledge *kb;

static void once(void)
{
        const char *dir = getenv("RWSHIM_FUZZ_DATA");
        struct rw_err e;

        fd = memfd_create("fuzz-events", MFD_CLOEXEC);
        sink = fopen("/dev/null", "we");
        if (fd < 0 || !sink)
                abort();
        if (trace_knowledge_load(dir ? dir : "data", &kb, &e) < 0)
                kb = NULL;   /* attribution without a knowledge base is a case too */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct trace_report_opts ro = { .title = "rwshim trace", .status = size ? data[0] : -1 };
        struct trace_log log;
        struct rw_err e;
        const char *ignore[] = { "/tmp/rwshim-events", NULL };

        if (fd < 0)
                once();
        if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
                abort();
        if (trace_log_read_fd(&log, fd, size && (data[0] & 1) ? ignore : NULL, &e) < 0)
                return 0;
        for (size_t i = 0; i < log.nevents; i++)
                (void)trace_event_denied(&log.events[i]), (void)trace_event_is_write(&log.events[i]);
        trace_attribute_all(&log, kb);
        (void)trace_report_write(sink, &log, &ro);
        (void)trace_json_write(sink, &log, NULL, NULL);
        trace_log_free(&log);
        return 0;
}
