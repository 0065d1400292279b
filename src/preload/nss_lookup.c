/* Lookups and enumeration over a merged database file; see nss_lookup.h. */
#include "preload/nss_lookup.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "preload/nss_parse.h"

static int line_matches(const char *line, size_t len, const struct nss_key *k)
{
        return k->id_field ? nss_field_is_id(line, len, k->id_field, k->id)
                           : nss_field_is(line, len, 0, k->name);
}

int nss_lookup(const char *file, const struct nss_key *k, nss_parse_fn parse, void *ent,
               char *buf, size_t size)
{
        struct etc_view v;
        const char *line;
        size_t pos = 0, len;
        int saved = errno, r = etc_view_open(file, &v);

        if (r != ETC_CHANGED)
                return r;
        r = NSS_NOTFOUND;
        while (etc_view_next(&v, &pos, &line, &len)) {
                if (!line_matches(line, len, k))
                        continue;
                int p = parse(line, len, ent, buf, size);
                if (p == -EINVAL)
                        continue;   /* malformed: libc skips it too */
                r = p < 0 ? p : NSS_FOUND;
                break;
        }
        etc_view_close(&v);
        errno = saved;
        return r;
}

#define NSS_STATIC_MIN 1024
#define NSS_STATIC_MAX (1u << 20)

/* Doubles s->buf. 0, or -ERANGE when it would pass NSS_STATIC_MAX, -ENOMEM. */
static int grow(struct nss_static *s)
{
        size_t n = s->size ? s->size * 2 : NSS_STATIC_MIN;

        if (n > NSS_STATIC_MAX)
                return -ERANGE;
        void *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
                return -ENOMEM;
        if (s->buf)
                munmap(s->buf, s->size);
        s->buf = m;
        s->size = n;
        return 0;
}

int nss_lookup_static(struct nss_static *s, const char *file, const struct nss_key *k,
                      nss_parse_fn parse, void *ent)
{
        int saved = errno, r;

        if (!s->buf && (r = grow(s)) < 0)
                return r;
        while ((r = nss_lookup(file, k, parse, ent, s->buf, s->size)) == -ERANGE && grow(s) == 0)
                ;
        errno = saved;
        return r;
}

void nss_enum_reset(struct nss_enum *e)
{
        etc_view_close(&e->view);
        e->pos = 0;
        e->state = 0;
}

int nss_enum_next(struct nss_enum *e, const char *file, nss_parse_fn parse, void *ent,
                  char *buf, size_t size)
{
        const char *line;
        size_t len, before;

        if (e->state == 0) {
                int r = etc_view_open(file, &e->view);
                if (r < 0)
                        return r;
                e->state = r == ETC_CHANGED ? 1 : -1;
                e->pos = 0;
        }
        if (e->state < 0)
                return NSS_PASS;
        for (before = e->pos; etc_view_next(&e->view, &e->pos, &line, &len); before = e->pos) {
                int r = parse(line, len, ent, buf, size);
                if (r == -EINVAL)
                        continue;
                if (r < 0) {
                        e->pos = before;
                        return r;
                }
                return NSS_FOUND;
        }
        return NSS_NOTFOUND;
}

int nss_enum_next_static(struct nss_enum *e, struct nss_static *s, const char *file,
                         nss_parse_fn parse, void *ent)
{
        int r;

        if (!s->buf && (r = grow(s)) < 0)
                return r;
        while ((r = nss_enum_next(e, file, parse, ent, s->buf, s->size)) == -ERANGE && grow(s) == 0)
                ;
        return r;
}
