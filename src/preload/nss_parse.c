/* Parsers for the files libc's "files" NSS module reads; see nss_parse.h. */
#include "preload/nss_parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

int nss_field(const char *line, size_t len, int i, const char **start, size_t *n)
{
        const char *p = line, *end = line + len;

        for (; i > 0; i--) {
                const char *c = memchr(p, ':', (size_t)(end - p));
                if (!c)
                        return 0;
                p = c + 1;
        }
        const char *c = memchr(p, ':', (size_t)(end - p));
        *start = p;
        *n = (size_t)((c ? c : end) - p);
        return 1;
}

int nss_is_entry(const char *line, size_t len)
{
        return len > 0 && line[0] != '#' && line[0] != '+' && line[0] != '-' && line[0] != '\r';
}

int nss_field_is(const char *line, size_t len, int i, const char *s)
{
        const char *f;
        size_t n;

        return nss_is_entry(line, len) && nss_field(line, len, i, &f, &n) &&
               strlen(s) == n && memcmp(f, s, n) == 0;
}

/* Decimal digits only, as the files module accepts for ids. */
static int parse_id(const char *f, size_t n, unsigned long *ret)
{
        unsigned long v = 0;

        if (n == 0 || n > 10)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                if (f[i] < '0' || f[i] > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned long)(f[i] - '0');
        }
        if (v > UINT32_MAX)
                return -EINVAL;
        *ret = v;
        return 0;
}

int nss_field_is_id(const char *line, size_t len, int i, unsigned long id)
{
        const char *f;
        size_t n;
        unsigned long v;

        return nss_is_entry(line, len) && nss_field(line, len, i, &f, &n) &&
               parse_id(f, n, &v) == 0 && v == id;
}

int nss_group_has_member(const char *line, size_t len, const char *user)
{
        const char *f, *end;
        size_t n, ul = strlen(user);

        if (!nss_is_entry(line, len) || !nss_field(line, len, 3, &f, &n))
                return 0;
        for (end = f + n;;) {
                const char *c = memchr(f, ',', (size_t)(end - f));
                size_t m = (size_t)((c ? c : end) - f);
                while (m && (f[m - 1] == ' ' || f[m - 1] == '\r'))
                        m--;
                if (m == ul && memcmp(f, user, m) == 0)
                        return 1;
                if (!c)
                        break;
                f = c + 1;
        }
        return 0;
}

/* Copies line into buf and cuts it into exactly want fields at its ':'s. */
static int split_fields(const char *line, size_t len, char *buf, size_t size, char **fields, int want)
{
        int k = 0;

        while (len && line[len - 1] == '\r')
                len--;
        if (!nss_is_entry(line, len))
                return -EINVAL;
        if (len + 1 > size)
                return -ERANGE;
        memcpy(buf, line, len);
        buf[len] = '\0';
        fields[k++] = buf;
        for (char *p = buf; *p; p++) {
                if (*p != ':')
                        continue;
                if (k == want)
                        return -EINVAL;
                *p = '\0';
                fields[k++] = p + 1;
        }
        return k == want ? (int)len + 1 : -EINVAL;
}

static int id_of(const char *s, unsigned long *ret)
{
        return parse_id(s, strlen(s), ret);
}

int nss_parse_passwd(const char *line, size_t len, struct passwd *pw, char *buf, size_t size)
{
        char *f[7];
        unsigned long uid, gid;
        int r = split_fields(line, len, buf, size, f, 7);

        if (r < 0)
                return r;
        if (id_of(f[2], &uid) < 0 || id_of(f[3], &gid) < 0 || !f[0][0])
                return -EINVAL;
        *pw = (struct passwd){ .pw_name = f[0], .pw_passwd = f[1], .pw_uid = (uid_t)uid,
                               .pw_gid = (gid_t)gid, .pw_gecos = f[4], .pw_dir = f[5], .pw_shell = f[6] };
        return 0;
}

int nss_parse_group(const char *line, size_t len, struct group *gr, char *buf, size_t size)
{
        char *f[4];
        unsigned long gid;
        int used = split_fields(line, len, buf, size, f, 4);
        size_t n = 1;

        if (used < 0)
                return used;
        if (id_of(f[2], &gid) < 0 || !f[0][0])
                return -EINVAL;
        for (const char *p = f[3]; *p; p++)
                n += *p == ',';
        /* The member array follows the strings, aligned for pointers. */
        uintptr_t at = ((uintptr_t)buf + (size_t)used + sizeof(char *) - 1) & ~(uintptr_t)(sizeof(char *) - 1);
        if (at + (n + 1) * sizeof(char *) > (uintptr_t)buf + size)
                return -ERANGE;
        char **mem = (char **)at;
        size_t k = 0;
        for (char *p = f[3]; *p;) {
                char *c = strchr(p, ',');
                if (c)
                        *c = '\0';
                if (*p)
                        mem[k++] = p;
                if (!c)
                        break;
                p = c + 1;
        }
        mem[k] = NULL;
        *gr = (struct group){ .gr_name = f[0], .gr_passwd = f[1], .gr_gid = (gid_t)gid, .gr_mem = mem };
        return 0;
}

/* Shadow's numeric fields: empty means -1 ("not set"). */
static long shadow_num(const char *s)
{
        unsigned long v;

        return *s && id_of(s, &v) == 0 ? (long)v : -1;
}

int nss_parse_shadow(const char *line, size_t len, struct spwd *sp, char *buf, size_t size)
{
        char *f[9];
        int r = split_fields(line, len, buf, size, f, 9);

        if (r < 0)
                return r;
        *sp = (struct spwd){ .sp_namp = f[0], .sp_pwdp = f[1], .sp_lstchg = shadow_num(f[2]),
                             .sp_min = shadow_num(f[3]), .sp_max = shadow_num(f[4]),
                             .sp_warn = shadow_num(f[5]), .sp_inact = shadow_num(f[6]),
                             .sp_expire = shadow_num(f[7]),
                             .sp_flag = (unsigned long)shadow_num(f[8]) };
        return 0;
}

static int is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\r';
}

int nss_parse_host_line(const char *line, size_t len, struct nss_host_line *h)
{
        const char *p = line, *end = line + len, *hash = memchr(line, '#', len);
        char addr[INET6_ADDRSTRLEN + 1];

        if (hash)
                end = hash;
        h->n_names = 0;
        for (int word = 0; p < end; word++) {
                while (p < end && is_space(*p))
                        p++;
                const char *w = p;
                while (p < end && !is_space(*p))
                        p++;
                size_t n = (size_t)(p - w);
                if (!n)
                        break;
                if (word == 0) {
                        if (n >= sizeof(addr))
                                return -EINVAL;
                        memcpy(addr, w, n);
                        addr[n] = '\0';
                        if (inet_pton(AF_INET, addr, h->addr) == 1)
                                h->family = AF_INET;
                        else if (inet_pton(AF_INET6, addr, h->addr) == 1)
                                h->family = AF_INET6;
                        else
                                return -EINVAL;
                } else if (h->n_names < NSS_HOST_NAMES) {
                        h->names[h->n_names].s = w;
                        h->names[h->n_names].n = n;
                        h->n_names++;
                }
        }
        return h->n_names > 0 ? 0 : -EINVAL;
}

int nss_host_has_name(const struct nss_host_line *h, const char *name)
{
        size_t len = strlen(name);

        while (len > 1 && name[len - 1] == '.')
                len--;   /* "db." is the fully qualified "db" */
        for (int i = 0; i < h->n_names; i++)
                if (h->names[i].n == len && strncasecmp(h->names[i].s, name, len) == 0)
                        return 1;
        return 0;
}
