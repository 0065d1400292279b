/* libFuzzer: the NDJSON event stream as trace and check read it back (trace/events.c) and
 * everything that consumes it: attribution against the knowledge base, the report and the
 * --json output. Any process of the run appends to the stream (the preload, the supervisor,
 * the Python hook), a killed writer leaves a torn line, and a program can write to the file
 * itself: any bytes must give a report or an error, never a crash. An input that starts with 'S'
 * is a spool image instead (trace/spool.c: the preload's batches, writable by the program too):
 * its bytes fill the slots of a spool, which is drained into the stream first. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "trace/attribute.h"
#include "trace/events.h"
#include "trace/json_out.h"
#include "trace/knowledge.h"
#include "trace/report.h"
#include "trace/spool.h"
#include "core/event.h"

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

#define FUZZ_SLOTS 4
#define FUZZ_SPOOL_SIZE (RW_SPOOL_HEADER_SIZE + FUZZ_SLOTS * RW_SPOOL_SLOT_SIZE)

/* A spool whose header is ours and whose slots hold the input: slot headers (end, pending, pid)
 * and records alike come from the fuzzer. */
static int drain_spool_image(const uint8_t *data, size_t size)
{
        static unsigned char *img;
        struct rw_spool_header *h;
        size_t chunk = size / FUZZ_SLOTS;

        if (!img && !(img = malloc(FUZZ_SPOOL_SIZE)))
                abort();
        memset(img, 0, FUZZ_SPOOL_SIZE);
        h = (struct rw_spool_header *)img;
        h->magic = RW_SPOOL_MAGIC;
        h->nslots = RW_SPOOL_SLOTS;
        h->slot_size = RW_SPOOL_SLOT_SIZE;
        h->next_fresh = size ? data[0] : 0;   /* may claim more slots than the image has */
        for (size_t i = 0; i < FUZZ_SLOTS; i++) {
                size_t n = chunk < RW_SPOOL_SLOT_SIZE ? chunk : RW_SPOOL_SLOT_SIZE;
                memcpy(img + RW_SPOOL_HEADER_SIZE + i * RW_SPOOL_SLOT_SIZE, data + i * chunk, n);
        }
        return trace_spool_drain_mem(img, FUZZ_SPOOL_SIZE, fd) < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct trace_report_opts ro = { .title = "rwshim trace", .status = size ? data[0] : -1 };
        struct trace_log log;
        struct rw_err e;
        const char *ignore[] = { "/tmp/rwshim-events", NULL };

        if (fd < 0)
                once();
        if (size && data[0] == 'S') {
                if (ftruncate(fd, 0) < 0 || drain_spool_image(data + 1, size - 1) < 0)
                        return 0;
        } else if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size) {
                abort();
        }
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
