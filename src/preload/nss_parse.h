/* Parsing the colon-separated databases (passwd, group, shadow) and /etc/hosts lines into the
 * structures libc returns, in a caller's buffer, as the files module does. Portable: glibc and
 * musl have the same structures. No allocation. */
#ifndef PRELOAD_NSS_PARSE_H
#define PRELOAD_NSS_PARSE_H

#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <shadow.h>
#include <stddef.h>

/* The raw field i (0-based, ':'-separated) of line: 1 with *start and *n set, 0 if absent. */
int nss_field(const char *line, size_t len, int i, const char **start, size_t *n);

/* True when the line is an entry (not empty, not a comment, not NIS "+"/"-" syntax). */
int nss_is_entry(const char *line, size_t len);

/* Raw field i equals s / is the decimal number id. */
int nss_field_is(const char *line, size_t len, int i, const char *s);
int nss_field_is_id(const char *line, size_t len, int i, unsigned long id);

/* Field 3 of a group line (its member list) names user. */
int nss_group_has_member(const char *line, size_t len, const char *user);

/* Each fills the structure with strings copied into buf. 0, -EINVAL (malformed: skip the
 * line, as libc does) or -ERANGE (buf too small: the caller may retry with more). */
int nss_parse_passwd(const char *line, size_t len, struct passwd *pw, char *buf, size_t size);
int nss_parse_group(const char *line, size_t len, struct group *gr, char *buf, size_t size);
int nss_parse_shadow(const char *line, size_t len, struct spwd *sp, char *buf, size_t size);

/* One /etc/hosts line: its address and names (at most NSS_HOST_NAMES, first is canonical). */
#define NSS_HOST_NAMES 16
struct nss_host_line {
        int family;                     /* AF_INET or AF_INET6 */
        unsigned char addr[16];
        int n_names;
        struct { const char *s; size_t n; } names[NSS_HOST_NAMES];
};
/* 0, or -EINVAL for a comment, an empty or malformed line. */
int nss_parse_host_line(const char *line, size_t len, struct nss_host_line *h);

/* The line lists name (case-insensitive, as resolvers compare host names). */
int nss_host_has_name(const struct nss_host_line *h, const char *name);

#endif
