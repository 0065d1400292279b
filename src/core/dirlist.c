/* Merged directory listings (preload-safe); see dirlist.h. */
#include "core/dirlist.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "core/sys.h"
#include "core/vfs_common.h"

struct linux_dirent64 {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

/* A set of name hashes: which upper names (and whiteouts) shadow lower ones. */
struct name_set {
        uint64_t *slots;
        size_t cap;          /* power of two */
        size_t bytes;
};

static uint64_t name_hash(const char *s)
{
        uint64_t h = 0xcbf29ce484222325ull;

        while (*s)
                h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
        return h | 1;        /* never 0: 0 marks an empty slot */
}

static int grow(struct rw_dirlist *l, size_t need)
{
        size_t cap = l->cap ? l->cap : 65536;
        void *p;

        while (cap < l->len + need)
                cap *= 2;
        if (cap == l->cap)
                return 0;
        p = l->buf ? mremap(l->buf, l->cap, cap, MREMAP_MAYMOVE)
                   : mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return -ENOMEM;
        l->buf = p;
        l->cap = cap;
        return 0;
}

static int append(struct rw_dirlist *l, uint64_t ino, unsigned char type, const char *name)
{
        size_t n = strlen(name);
        size_t reclen = (sizeof(struct rw_dirent) + n + 1 + 7) & ~(size_t)7;
        struct rw_dirent *d;
        int r = grow(l, reclen);

        if (r < 0)
                return r;
        d = (struct rw_dirent *)(void *)(l->buf + l->len);
        d->d_ino = ino;
        d->d_reclen = (unsigned short)reclen;
        d->d_type = type;
        memcpy(d->d_name, name, n + 1);
        l->len += reclen;
        d->d_off = (int64_t)l->len;   /* telldir/seekdir cookie: offset of the next record */
        l->count++;
        return 0;
}

static int set_init(struct name_set *s, size_t n)
{
        s->cap = 64;
        while (s->cap < n * 2)
                s->cap *= 2;
        s->bytes = s->cap * sizeof(uint64_t);
        s->slots = mmap(NULL, s->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return s->slots == MAP_FAILED ? -ENOMEM : 0;
}

static void set_add(struct name_set *s, const char *name)
{
        uint64_t h = name_hash(name);
        size_t i = h & (s->cap - 1);

        while (s->slots[i] && s->slots[i] != h)
                i = (i + 1) & (s->cap - 1);
        s->slots[i] = h;
}

static int set_has(const struct name_set *s, const char *name)
{
        uint64_t h = name_hash(name);
        size_t i = h & (s->cap - 1);

        while (s->slots[i]) {
                if (s->slots[i] == h)
                        return 1;
                i = (i + 1) & (s->cap - 1);
        }
        return 0;
}

typedef int (*entry_fn)(void *ctx, const struct linux_dirent64 *d);

static int for_each_entry(const char *path, entry_fn fn, void *ctx)
{
        char buf[8192] __attribute__((aligned(8)));
        int fd = rw_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);

        if (fd < 0)
                return fd;
        for (;;) {
                ssize_t n = rw_getdents64(fd, buf, sizeof(buf));

                if (n <= 0) {
                        rw_close(fd);
                        return (int)n;
                }
                for (ssize_t off = 0; off < n;) {
                        const struct linux_dirent64 *d = (const void *)(buf + off);
                        int r = fn(ctx, d);

                        if (r < 0) {
                                rw_close(fd);
                                return r;
                        }
                        off += d->d_reclen;
                }
        }
}

struct merge_ctx {
        struct rw_dirlist *list;
        struct name_set seen;
        int opaque;
        size_t upper_names;
};

static int is_whiteout(const char *name)
{
        return strncmp(name, RW_WHITEOUT_PREFIX, sizeof(RW_WHITEOUT_PREFIX) - 1) == 0;
}

static int count_upper(void *ctx, const struct linux_dirent64 *d)
{
        (void)d;
        ((struct merge_ctx *)ctx)->upper_names++;
        return 0;
}

static int take_upper(void *ctx, const struct linux_dirent64 *d)
{
        struct merge_ctx *m = ctx;

        if (strcmp(d->d_name, RW_OPAQUE_NAME) == 0) {
                m->opaque = 1;
                return 0;
        }
        if (is_whiteout(d->d_name)) {
                set_add(&m->seen, d->d_name + sizeof(RW_WHITEOUT_PREFIX) - 1);
                return 0;
        }
        set_add(&m->seen, d->d_name);
        return append(m->list, d->d_ino, d->d_type, d->d_name);
}

static int take_lower(void *ctx, const struct linux_dirent64 *d)
{
        struct merge_ctx *m = ctx;

        if (set_has(&m->seen, d->d_name))
                return 0;
        return append(m->list, d->d_ino, d->d_type, d->d_name);
}

int rw_dirlist_build(const struct rw_engine *e, const char *abs, struct rw_dirlist *out)
{
        struct rw_where w RW_WHERE_AUTO = { .parent_fd = -1 };
        struct merge_ctx m = { .list = out };
        char upper_path[PATH_MAX];
        int r;

        memset(out, 0, sizeof(*out));
        r = rw_layer_lookup(&e->upper, abs, 1, &w);
        if (r < 0)
                return r;
        if (w.kind == RW_GONE)
                return -ENOENT;
        if (w.kind == RW_NOPARENT)
                return -w.parent_errno;
        if (w.kind == RW_UPPER) {
                if (!S_ISDIR(w.st.st_mode))
                        return -ENOTDIR;
                r = rw_where_real_path(&e->upper, &w, upper_path, sizeof(upper_path));
                if (r == 0)
                        r = for_each_entry(upper_path, count_upper, &m);
                if (r == 0)
                        r = set_init(&m.seen, m.upper_names);
                if (r == 0)
                        r = for_each_entry(upper_path, take_upper, &m);
        } else {
                r = set_init(&m.seen, 0);
        }
        if (r == 0 && !m.opaque) {
                r = for_each_entry(w.path, take_lower, &m);
                if ((r == -ENOENT || r == -ENOTDIR) && w.kind == RW_UPPER)
                        r = 0;   /* the directory exists only in the upper */
        }
        if (m.seen.slots && m.seen.slots != MAP_FAILED)
                munmap(m.seen.slots, m.seen.bytes);
        if (r < 0)
                rw_dirlist_free(out);
        return r;
}

void rw_dirlist_free(struct rw_dirlist *l)
{
        if (l->buf)
                munmap(l->buf, l->cap);
        memset(l, 0, sizeof(*l));
}
