/* Host name lookups for /etc/hosts entries: the resolver's files module reads /etc/hosts
 * through internal calls, so once the upper holds it (an entrypoint added a service alias),
 * names it lists are answered from the merged copy; any other name, and any call while the
 * file is unchanged, goes to libc (DNS, ...). getaddrinfo builds its result by asking libc for
 * each address as a numeric host, so sockets types, services and freeaddrinfo stay libc's.
 * Names sent to DNS first get the merged /etc/resolv.conf's servers (resolv_sync.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "preload/etc_view.h"
#include "preload/nss_lookup.h"
#include "preload/nss_parse.h"
#include "preload/resolv_sync.h"
#include "preload/state.h"

#ifndef NETDB_INTERNAL
#define NETDB_INTERNAL (-1)   /* glibc's "see errno"; musl lacks the name */
#endif

#define HOSTS_FILE "/etc/hosts"
#define MAX_ADDRS  16

DECLARE_REAL(int, getaddrinfo, const char *, const char *, const struct addrinfo *, struct addrinfo **);
DECLARE_REAL(struct hostent *, gethostbyname, const char *);
DECLARE_REAL(struct hostent *, gethostbyname2, const char *, int);
DECLARE_REAL(int, gethostbyname_r, const char *, struct hostent *, char *, size_t, struct hostent **, int *);
DECLARE_REAL(int, gethostbyname2_r, const char *, int, struct hostent *, char *, size_t, struct hostent **, int *);
DECLARE_REAL(struct hostent *, gethostbyaddr, const void *, socklen_t, int);
DECLARE_REAL(int, getnameinfo, const struct sockaddr *, socklen_t, char *, socklen_t, char *, socklen_t, int);
DECLARE_REAL(int, gethostbyaddr_r, const void *, socklen_t, int, struct hostent *, char *, size_t,
             struct hostent **, int *);

/* What the merged /etc/hosts says of one name (or address): the names of the first line that
 * matched, and every matching address of the wanted family, in file order. */
struct host_match {
        int n_addrs;
        int family[MAX_ADDRS];
        unsigned char addr[MAX_ADDRS][16];
        int n_names;
        char names[1024];           /* n_names NUL-terminated strings, the canonical one first */
};

static size_t addr_len(int family)
{
        return family == AF_INET6 ? 16 : 4;
}

static void keep_names(struct host_match *m, const struct nss_host_line *h)
{
        size_t at = 0;

        for (int i = 0; i < h->n_names && at + h->names[i].n + 1 <= sizeof(m->names); i++) {
                memcpy(m->names + at, h->names[i].s, h->names[i].n);
                at += h->names[i].n;
                m->names[at++] = '\0';
                m->n_names++;
        }
}

/* Scans the merged /etc/hosts for name (or, with name NULL, for the address addr). Returns
 * NSS_PASS (the upper does not hold the file), NSS_FOUND or NSS_NOTFOUND. */
static int hosts_find(const char *name, const void *addr, int family, struct host_match *m)
{
        struct etc_view v;
        struct nss_host_line h;
        const char *line;
        size_t pos = 0, len;
        int r = etc_view_open(HOSTS_FILE, &v);

        if (r != ETC_CHANGED)
                return NSS_PASS;
        memset(m, 0, sizeof(*m));
        while (m->n_addrs < MAX_ADDRS && etc_view_next(&v, &pos, &line, &len)) {
                if (nss_parse_host_line(line, len, &h) < 0 || (family != AF_UNSPEC && h.family != family))
                        continue;
                if (name ? !nss_host_has_name(&h, name) : memcmp(h.addr, addr, addr_len(family)) != 0)
                        continue;
                if (!m->n_names && (keep_names(m, &h), !m->n_names))
                        continue;   /* names longer than we keep: leave it to libc */
                m->family[m->n_addrs] = h.family;
                memcpy(m->addr[m->n_addrs], h.addr, 16);
                m->n_addrs++;
                if (!name)
                        break;
        }
        etc_view_close(&v);
        return m->n_addrs ? NSS_FOUND : NSS_NOTFOUND;
}

static int is_numeric_host(const char *node)
{
        unsigned char a[16];

        return inet_pton(AF_INET, node, a) == 1 || inet_pton(AF_INET6, node, a) == 1 || strchr(node, '%');
}

/* Chains libc's answer for each address, asked as a numeric host. musl allocates a chain as
 * one block, so there only the first address can be given. */
static int addrinfo_chain(const struct host_match *m, const char *service, const struct addrinfo *hints,
                          struct addrinfo **res)
{
        struct addrinfo h = hints ? *hints : (struct addrinfo){ .ai_family = AF_UNSPEC };
        struct addrinfo *head = NULL, **tail = &head;
        int err = EAI_NONAME;

        h.ai_flags = (h.ai_flags | AI_NUMERICHOST) & ~AI_CANONNAME;
        for (int i = 0; i < m->n_addrs; i++) {
                char text[INET6_ADDRSTRLEN];
                struct addrinfo *part;
                if (!inet_ntop(m->family[i], m->addr[i], text, sizeof(text)))
                        continue;
                int r = REAL(getaddrinfo)(text, service, &h, &part);
                if (r != 0) {
                        err = r;
                        continue;
                }
                *tail = part;
                while (*tail)
                        tail = &(*tail)->ai_next;
#ifndef __GLIBC__
                break;
#endif
        }
        if (!head)
                return err;
#ifdef __GLIBC__
        /* glibc's freeaddrinfo frees ai_canonname on its own. */
        if (hints && (hints->ai_flags & AI_CANONNAME)) {
                char *c = strdup(m->names);
                if (c) {
                        free(head->ai_canonname);
                        head->ai_canonname = c;
                }
        }
#endif
        *res = head;
        return 0;
}

PRELOAD_API int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                            struct addrinfo **res)
{
        struct host_match m;
        int family = hints ? hints->ai_family : AF_UNSPEC;

        if (!preload_off())
                preload_resolv_sync();
        if (preload_off() || !node || !etc_view_maybe_changed(HOSTS_FILE) ||
            (hints && (hints->ai_flags & AI_NUMERICHOST)) || is_numeric_host(node) ||
            (family != AF_UNSPEC && family != AF_INET && family != AF_INET6))
                return REAL(getaddrinfo)(node, service, hints, res);
        int saved = errno;
        if (hosts_find(node, NULL, family, &m) != NSS_FOUND) {
                errno = saved;
                return REAL(getaddrinfo)(node, service, hints, res);
        }
        errno = saved;
        return addrinfo_chain(&m, service, hints, res);
}

/* Lays m out as a hostent in buf: names, then the alias and address pointer arrays, then the
 * addresses of family. 0 or ERANGE. */
static int fill_hostent(const struct host_match *m, int family, struct hostent *he, char *buf, size_t size)
{
        size_t names_len = 0, n_addrs = 0;

        for (int i = 0, at = 0; i < m->n_names; i++) {
                size_t l = strlen(m->names + at) + 1;
                names_len += l;
                at += (int)l;
        }
        for (int i = 0; i < m->n_addrs; i++)
                n_addrs += m->family[i] == family;
        uintptr_t ptrs = ((uintptr_t)buf + names_len + sizeof(char *) - 1) & ~(uintptr_t)(sizeof(char *) - 1);
        size_t need = (size_t)(ptrs - (uintptr_t)buf) + ((size_t)m->n_names + 1 + n_addrs + 1) * sizeof(char *) +
                      n_addrs * addr_len(family);
        if (need > size)
                return ERANGE;
        memcpy(buf, m->names, names_len);
        char **aliases = (char **)ptrs, **addrs = aliases + m->n_names;
        char *bytes = (char *)(addrs + n_addrs + 1);
        size_t at = strlen(buf) + 1, k = 0;
        for (int i = 1; i < m->n_names; i++) {
                aliases[i - 1] = buf + at;
                at += strlen(buf + at) + 1;
        }
        aliases[m->n_names - 1] = NULL;
        for (int i = 0; i < m->n_addrs; i++) {
                if (m->family[i] != family)
                        continue;
                addrs[k] = bytes + k * addr_len(family);
                memcpy(addrs[k], m->addr[i], addr_len(family));
                k++;
        }
        addrs[k] = NULL;
        *he = (struct hostent){ .h_name = buf, .h_aliases = aliases, .h_addrtype = family,
                                .h_length = (int)addr_len(family), .h_addr_list = addrs };
        return 0;
}

/* The reentrant forms' common part: -1 when libc must answer, else their return value. */
static int host_reentrant(const char *name, const void *addr, int family, struct hostent *he, char *buf,
                          size_t size, struct hostent **result, int *h_errnop)
{
        struct host_match m;
        int saved = errno;

        if (!preload_off())
                preload_resolv_sync();
        if (preload_off() || (family != AF_INET && family != AF_INET6) ||
            hosts_find(name, addr, family, &m) != NSS_FOUND) {
                errno = saved;
                return -1;
        }
        errno = saved;
        int r = fill_hostent(&m, family, he, buf, size);
        *result = r ? NULL : he;
        if (h_errnop)
                *h_errnop = r ? NETDB_INTERNAL : 0;
        if (r)
                errno = r;
        return r;
}

PRELOAD_API int gethostbyname2_r(const char *name, int af, struct hostent *he, char *buf, size_t size,
                                 struct hostent **result, int *h_errnop)
{
        int r = name ? host_reentrant(name, NULL, af, he, buf, size, result, h_errnop) : -1;

        return r >= 0 ? r : REAL(gethostbyname2_r)(name, af, he, buf, size, result, h_errnop);
}

PRELOAD_API int gethostbyname_r(const char *name, struct hostent *he, char *buf, size_t size,
                                struct hostent **result, int *h_errnop)
{
        int r = name ? host_reentrant(name, NULL, AF_INET, he, buf, size, result, h_errnop) : -1;

        return r >= 0 ? r : REAL(gethostbyname_r)(name, he, buf, size, result, h_errnop);
}

PRELOAD_API int gethostbyaddr_r(const void *addr, socklen_t len, int type, struct hostent *he, char *buf,
                                size_t size, struct hostent **result, int *h_errnop)
{
        int r = addr && len == addr_len(type) ? host_reentrant(NULL, addr, type, he, buf, size, result, h_errnop) : -1;

        return r >= 0 ? r : REAL(gethostbyaddr_r)(addr, len, type, he, buf, size, result, h_errnop);
}

/* The non-reentrant forms share one static entry, as libc's do. */
static struct hostent static_he;
static char static_he_buf[2048];

static struct hostent *host_static(const char *name, const void *addr, int family)
{
        struct hostent *res = NULL;
        int herr = 0;
        int r = host_reentrant(name, addr, family, &static_he, static_he_buf, sizeof(static_he_buf), &res, &herr);

        if (r > 0)
                h_errno = herr;
        return r < 0 ? (struct hostent *)-1 : res;
}

PRELOAD_API struct hostent *gethostbyname2(const char *name, int af)
{
        struct hostent *he = name ? host_static(name, NULL, af) : (struct hostent *)-1;

        return he != (struct hostent *)-1 ? he : REAL(gethostbyname2)(name, af);
}

PRELOAD_API struct hostent *gethostbyname(const char *name)
{
        struct hostent *he = name ? host_static(name, NULL, AF_INET) : (struct hostent *)-1;

        return he != (struct hostent *)-1 ? he : REAL(gethostbyname)(name);
}

PRELOAD_API struct hostent *gethostbyaddr(const void *addr, socklen_t len, int type)
{
        struct hostent *he = addr && len == addr_len(type) ? host_static(NULL, addr, type) : (struct hostent *)-1;

        return he != (struct hostent *)-1 ? he : REAL(gethostbyaddr)(addr, len, type);
}

/* The address inside sa, for the families /etc/hosts knows; 0 for any other. */
static int sockaddr_addr(const struct sockaddr *sa, socklen_t len, const void **ret_addr, int *ret_family)
{
        if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
                *ret_addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
        else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
                *ret_addr = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        else
                return 0;
        *ret_family = sa->sa_family;
        return 1;
}

/* Reverse lookups of addresses the merged /etc/hosts lists; the service part stays libc's. */
PRELOAD_API int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen,
                            char *serv, socklen_t servlen, int flags)
{
        struct host_match m;
        const void *addr;
        int family, saved = errno;

        if (preload_off() || !sa || !host || !hostlen || (flags & NI_NUMERICHOST) ||
            !etc_view_maybe_changed(HOSTS_FILE) || !sockaddr_addr(sa, salen, &addr, &family) ||
            hosts_find(NULL, addr, family, &m) != NSS_FOUND) {
                errno = saved;
                return REAL(getnameinfo)(sa, salen, host, hostlen, serv, servlen, flags);
        }
        errno = saved;
        size_t n = strlen(m.names);
        if (flags & NI_NOFQDN) {
                const char *dot = strchr(m.names, '.');
                n = dot ? (size_t)(dot - m.names) : n;
        }
        if (n + 1 > hostlen)
                return EAI_OVERFLOW;
        if (serv && servlen) {
                int r = REAL(getnameinfo)(sa, salen, NULL, 0, serv, servlen, flags);
                if (r != 0)
                        return r;
        }
        memcpy(host, m.names, n);
        host[n] = '\0';
        return 0;
}
