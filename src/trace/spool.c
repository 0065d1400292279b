/* Creating and draining the spool; see spool.h. */
#include "trace/spool.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/event.h"

int trace_spool_create(struct trace_spool *s, int on_disk, struct rw_err *e)
{
        struct rw_spool_header h = { .magic = RW_SPOOL_MAGIC, .nslots = RW_SPOOL_SLOTS,
                                     .slot_size = RW_SPOOL_SLOT_SIZE };
        int r = trace_event_file_create(&s->file, on_disk, e);

        if (r < 0)
                return r;
        /* Sparse: a slot costs memory only once a thread writes to it. */
        if (ftruncate(s->file.fd, (off_t)RW_SPOOL_FILE_SIZE) < 0 ||
            pwrite(s->file.fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
                r = rw_err_set(e, errno ? errno : EIO, "create spool", s->file.path);
                trace_spool_close(s);
                return r;
        }
        return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;

        while (len) {
                ssize_t n = write(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -EIO;
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

/* A slot's committed records, then a record that says a torn one was lost. The committed bytes
 * are whole lines unless the program scribbled on the slot; a missing final newline is added so
 * a scribble never glues itself to the next slot's first record. */
static long drain_slot(const struct rw_spool_slot *slot, int out_fd)
{
        const unsigned char *data = (const unsigned char *)slot + RW_SPOOL_SLOT_HEADER;
        int torn, r;
        size_t len = rw_spool_slot_committed(slot, &torn);
        long records = 0;

        for (size_t i = 0; i < len; i++)
                records += data[i] == '\n';
        if (len && (r = write_all(out_fd, data, len)) < 0)
                return r;
        if (len && data[len - 1] != '\n' && (r = write_all(out_fd, "\n", 1)) < 0)
                return r;
        if (torn) {
                char line[128];
                int n = snprintf(line, sizeof(line), "{\"ev\":\"lost\",\"pid\":%u,\"records\":1,"
                                 "\"why\":\"killed while writing a record\"}\n", slot->pid);
                if ((r = write_all(out_fd, line, (size_t)n)) < 0)
                        return r;
        }
        return records;
}

long trace_spool_drain_mem(const unsigned char *mem, size_t size, int out_fd)
{
        const struct rw_spool_header *h = (const struct rw_spool_header *)mem;
        long total = 0;

        if (size < RW_SPOOL_HEADER_SIZE || h->magic != RW_SPOOL_MAGIC || h->slot_size != RW_SPOOL_SLOT_SIZE)
                return -EINVAL;
        if (lseek(out_fd, 0, SEEK_END) < 0)
                return -errno;
        /* Slots past next_fresh were never handed out (reading them would only fault in pages). */
        size_t used = h->next_fresh < RW_SPOOL_SLOTS ? h->next_fresh : RW_SPOOL_SLOTS;
        for (size_t i = 0; i < used; i++) {
                size_t off = RW_SPOOL_HEADER_SIZE + i * (size_t)RW_SPOOL_SLOT_SIZE;
                long r;

                /* Free slots were written out when given back; a free slot with records is one
                 * the program forged: drained all the same, the reader judges the bytes. */
                if (off + RW_SPOOL_SLOT_SIZE > size)
                        break;
                if ((r = drain_slot((const struct rw_spool_slot *)(mem + off), out_fd)) < 0)
                        return r;
                total += r;
        }
        return total;
}

long trace_spool_drain(const struct trace_spool *s, int out_fd, struct rw_err *e)
{
        void *map = mmap(NULL, RW_SPOOL_FILE_SIZE, PROT_READ, MAP_SHARED, s->file.fd, 0);
        long r;

        if (map == MAP_FAILED)
                return rw_err_set(e, errno, "read spool", s->file.path);
        /* The program could have shrunk the file: a page past its end would be SIGBUS. */
        off_t size = lseek(s->file.fd, 0, SEEK_END);
        r = trace_spool_drain_mem(map, size < 0 ? 0 : (size_t)size < RW_SPOOL_FILE_SIZE ? (size_t)size
                                                                                          : RW_SPOOL_FILE_SIZE,
                                  out_fd);
        munmap(map, RW_SPOOL_FILE_SIZE);
        if (r < 0)
                return rw_err_set(e, (int)-r, "drain spool", s->file.path);
        return r;
}

void trace_spool_close(struct trace_spool *s)
{
        trace_event_file_close(&s->file);
}
