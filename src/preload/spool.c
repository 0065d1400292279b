/* The preload's spool writer; see spool.h and the layout in core/event.h.
 * Each slot has one writer (the thread that claimed it), so appending needs no lock and no
 * atomic read-modify-write: the record is copied past `end`, then `end` is published with a
 * release store. `pending` brackets the copy, so a writer killed mid-record is detected. */
#include "preload/spool.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/event.h"
#include "core/sys.h"
#include "preload/env.h"
#include "preload/state.h"

enum { SPOOL_UNTRIED = 0, SPOOL_OPENING, SPOOL_READY, SPOOL_UNUSABLE };

static int spool_status;                  /* SPOOL_* (atomic) */
static unsigned char *spool_map;          /* the whole file, MAP_SHARED; inherited across fork */
static pthread_key_t slot_key;            /* its destructor gives a finished thread's slot back */

static __thread struct rw_spool_slot *my_slot;

static struct rw_spool_header *header(void) { return (struct rw_spool_header *)spool_map; }

static struct rw_spool_slot *slot_at(unsigned i)
{
        return (struct rw_spool_slot *)(spool_map + RW_SPOOL_HEADER_SIZE + (size_t)i * RW_SPOOL_SLOT_SIZE);
}

static char *slot_data(struct rw_spool_slot *s) { return (char *)s + RW_SPOOL_SLOT_HEADER; }

/* Writes a slot's records to the event stream (one write(2) for up to 64 KiB of records) and
 * empties it. A write that fails keeps them: the supervisor's drain still has them. */
static int flush_slot(struct rw_spool_slot *s)
{
        size_t end = __atomic_load_n(&s->end, __ATOMIC_ACQUIRE), done = 0;

        while (done < end) {
                ssize_t n = rw_write(preload_events_fd, slot_data(s) + done, end - done);
                if (n <= 0)
                        return n < 0 ? (int)n : -EIO;
                done += (size_t)n;
        }
        /* SIGKILL between the write and this store would make the drain append the slot again:
         * a duplicate is the lesser harm (nothing is lost), and the window is a few instructions. */
        s->records = 0;
        __atomic_store_n(&s->end, 0, __ATOMIC_RELEASE);
        return 0;
}

static void give_back(void *slot)
{
        struct rw_spool_slot *s = slot;
        unsigned i = (unsigned)(((unsigned char *)s - spool_map - RW_SPOOL_HEADER_SIZE) / RW_SPOOL_SLOT_SIZE);

        if (flush_slot(s) < 0)
                return;   /* keep it owned: its records wait for the drain */
        __atomic_store_n(&header()->state[i], RW_SPOOL_FREE, __ATOMIC_RELEASE);
}

/* pthread key destructor: a thread that ends gives its slot back. */
static void thread_done(void *slot)
{
        int saved = errno;

        if (slot && slot == my_slot) {
                give_back(slot);
                my_slot = NULL;
        }
        errno = saved;
}

static void process_done(void)
{
        preload_spool_release();
}

static int open_spool(void)
{
        const char *path = preload_env_saved("RWSHIM_SPOOL");
        struct stat st;
        void *map;
        int fd;

        if (!path || path[0] != '/' || preload_events_fd < 0)
                return -ENOENT;
        fd = rw_openat(AT_FDCWD, path, O_RDWR | O_CLOEXEC, 0);
        if (fd < 0)
                return fd;
        /* A short file would turn a store into SIGBUS: insist on the size trace/check gave it. */
        if (rw_fstatat(fd, "", &st, AT_EMPTY_PATH) < 0 || (size_t)st.st_size < RW_SPOOL_FILE_SIZE) {
                rw_close(fd);
                return -EINVAL;
        }
        map = mmap(NULL, RW_SPOOL_FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        rw_close(fd);
        if (map == MAP_FAILED)
                return -errno;
        spool_map = map;
        if (header()->magic != RW_SPOOL_MAGIC || header()->nslots != RW_SPOOL_SLOTS ||
            header()->slot_size != RW_SPOOL_SLOT_SIZE || pthread_key_create(&slot_key, thread_done) != 0) {
                munmap(map, RW_SPOOL_FILE_SIZE);
                spool_map = NULL;
                return -EINVAL;
        }
        atexit(process_done);   /* inherited by forked children, which is what they need */
        return 0;
}

/* The spool is opened once per process, by the first thread that records an event; a thread
 * that races with it writes its record directly rather than wait. */
static int spool_ready(void)
{
        int st = __atomic_load_n(&spool_status, __ATOMIC_ACQUIRE), expected = SPOOL_UNTRIED;

        if (st == SPOOL_READY)
                return 1;
        if (st != SPOOL_UNTRIED ||
            !__atomic_compare_exchange_n(&spool_status, &expected, SPOOL_OPENING, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
                return 0;
        st = open_spool() == 0 ? SPOOL_READY : SPOOL_UNUSABLE;
        __atomic_store_n(&spool_status, st, __ATOMIC_RELEASE);
        return st == SPOOL_READY;
}

static int take(unsigned i)
{
        unsigned expected = RW_SPOOL_FREE;

        return __atomic_compare_exchange_n(&header()->state[i], &expected, RW_SPOOL_OWNED, 0,
                                           __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/* A slot for this thread: a never-used one while there are any, then one given back. */
static struct rw_spool_slot *claim(void)
{
        unsigned i = __atomic_fetch_add(&header()->next_fresh, 1, __ATOMIC_RELAXED);

        if (i >= RW_SPOOL_SLOTS || !take(i)) {
                for (i = 0; i < RW_SPOOL_SLOTS && !take(i); i++)
                        ;
                if (i == RW_SPOOL_SLOTS)
                        return NULL;   /* every slot is owned: records go straight to the stream */
        }
        struct rw_spool_slot *s = slot_at(i);
        s->pid = (unsigned)RW_SYSCALL(SYS_getpid);
        s->tid = (unsigned)RW_SYSCALL(SYS_gettid);
        s->records = 0;
        s->pending = 0;
        __atomic_store_n(&s->end, 0, __ATOMIC_RELEASE);
        my_slot = s;
        pthread_setspecific(slot_key, s);
        return s;
}

int preload_spool_write(const char *rec, size_t len)
{
        struct rw_spool_slot *s = my_slot;
        const size_t room = RW_SPOOL_SLOT_SIZE - RW_SPOOL_SLOT_HEADER;

        if (unlikely(!s)) {
                if (!spool_ready() || !(s = claim()))
                        return -ENOSPC;
        }
        if (len > room)
                return -EMSGSIZE;
        if (s->end + len > room && flush_slot(s) < 0)
                return -EIO;
        /* pending names the end this record will make: a writer killed during the copy leaves
         * pending != end, and the drain reports the record lost; killed after the end moved,
         * pending == end, and nothing was lost. */
        unsigned new_end = s->end + (unsigned)len;
        __atomic_store_n(&s->pending, new_end, __ATOMIC_RELAXED);
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        memcpy(slot_data(s) + s->end, rec, len);
        s->records++;
        __atomic_store_n(&s->end, new_end, __ATOMIC_RELEASE);
        __atomic_store_n(&s->pending, 0, __ATOMIC_RELEASE);
        return 0;
}

void preload_spool_release(void)
{
        struct rw_spool_slot *s = my_slot;

        if (!s)
                return;
        /* The key keeps its value: thread_done ignores a slot that is no longer my_slot, and
         * pthread_setspecific may allocate, which a vfork child about to exec must not do. */
        my_slot = NULL;
        give_back(s);
}

void preload_spool_after_fork(void)
{
        my_slot = NULL;   /* the parent's thread still owns it; the mapping itself is shared */
}
