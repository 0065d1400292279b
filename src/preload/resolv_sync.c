/* glibc's resolver reads /etc/resolv.conf through an internal fopen, so a nameserver an
 * entrypoint wrote under `run` would never be asked. glibc lets a program override the file
 * by editing _res after res_init() (it then builds its configuration from _res), so before
 * each lookup, when the upper holds the file, its IPv4 nameservers, search list and ndots are
 * written there. musl keeps no such state: under musl this does nothing, a documented limit
 * (static and Go programs read the file themselves, through the static backend). */
#include "preload/resolv_sync.h"

#include <errno.h>   /* first: it defines __GLIBC__ where that applies */

#ifdef __GLIBC__
#include <arpa/inet.h>
#include <netinet/in.h>
#include <resolv.h>
#include <string.h>

#include "preload/etc_view.h"

#define RESOLV_FILE "/etc/resolv.conf"

struct resolv_conf_seen {
        struct sockaddr_in ns[MAXNS];
        int n_ns;
        char search[sizeof(_res.defdname)];   /* NUL-separated names */
        int n_search;
        int ndots;                            /* -1: not given */
};

/* The next blank-separated word of line from *p; 0 at its end. */
static size_t next_word(const char *line, size_t len, size_t *p, const char **w)
{
        while (*p < len && (line[*p] == ' ' || line[*p] == '\t' || line[*p] == '\r'))
                (*p)++;
        *w = line + *p;
        while (*p < len && line[*p] != ' ' && line[*p] != '\t' && line[*p] != '\r')
                (*p)++;
        return (size_t)(line + *p - *w);
}

static int word_is(const char *w, size_t n, const char *s)
{
        return n == strlen(s) && memcmp(w, s, n) == 0;
}

static void add_nameserver(struct resolv_conf_seen *c, const char *w, size_t n)
{
        char text[INET_ADDRSTRLEN];

        if (c->n_ns >= MAXNS || n >= sizeof(text))
                return;
        memcpy(text, w, n);
        text[n] = '\0';
        struct sockaddr_in *sin = &c->ns[c->n_ns];
        memset(sin, 0, sizeof(*sin));
        if (inet_pton(AF_INET, text, &sin->sin_addr) != 1)
                return;   /* IPv6 nameservers live in glibc's private state: not served */
        sin->sin_family = AF_INET;
        sin->sin_port = htons(NAMESERVER_PORT);
        c->n_ns++;
}

/* "search" and "domain": the last one in the file wins, as in glibc. */
static void set_search(struct resolv_conf_seen *c, const char *line, size_t len, size_t p)
{
        const char *w;
        size_t n, at = 0;

        c->n_search = 0;
        while ((n = next_word(line, len, &p, &w)) && c->n_search < MAXDNSRCH && at + n + 1 <= sizeof(c->search)) {
                memcpy(c->search + at, w, n);
                c->search[at + n] = '\0';
                at += n + 1;
                c->n_search++;
        }
}

static void parse_line(struct resolv_conf_seen *c, const char *line, size_t len)
{
        const char *w;
        size_t p = 0, n = next_word(line, len, &p, &w);

        if (word_is(w, n, "nameserver")) {
                n = next_word(line, len, &p, &w);
                add_nameserver(c, w, n);
        } else if (word_is(w, n, "search") || word_is(w, n, "domain")) {
                set_search(c, line, len, p);
        } else if (word_is(w, n, "options")) {
                while ((n = next_word(line, len, &p, &w)))
                        if (n > 6 && memcmp(w, "ndots:", 6) == 0 && w[6] >= '0' && w[6] <= '9')
                                c->ndots = w[6] - '0';
        }
}

static void apply(const struct resolv_conf_seen *c)
{
        if (!(_res.options & RES_INIT))
                res_init();
        if (c->n_ns > 0) {
                memcpy(_res.nsaddr_list, c->ns, sizeof(c->ns[0]) * (size_t)c->n_ns);
                _res.nscount = c->n_ns;
        }
        if (c->n_search > 0) {
                memcpy(_res.defdname, c->search, sizeof(_res.defdname));
                const char *s = _res.defdname;
                for (int i = 0; i < c->n_search; i++, s += strlen(s) + 1)
                        _res.dnsrch[i] = (char *)s;
                _res.dnsrch[c->n_search] = NULL;
        }
        if (c->ndots >= 0)
                _res.ndots = (unsigned)c->ndots;
}

void preload_resolv_sync(void)
{
        struct resolv_conf_seen c = { .ndots = -1 };
        struct etc_view v;
        const char *line;
        size_t pos = 0, len;
        int saved = errno;

        if (!etc_view_maybe_changed(RESOLV_FILE) || etc_view_open(RESOLV_FILE, &v) != ETC_CHANGED)
                return;
        while (etc_view_next(&v, &pos, &line, &len))
                if (len && line[0] != '#' && line[0] != ';')
                        parse_line(&c, line, len);
        etc_view_close(&v);
        apply(&c);
        errno = saved;
}
#else
void preload_resolv_sync(void)
{
}
#endif
