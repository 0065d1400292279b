/* Looking entries up in the merged copy of a colon-separated database (passwd, group,
 * shadow), for the wrappers that answer in place of libc's files module. */
#ifndef PRELOAD_NSS_LOOKUP_H
#define PRELOAD_NSS_LOOKUP_H

#include <stddef.h>

#include "preload/etc_view.h"

enum {
        NSS_PASS = 0,       /* the upper does not hold the file: libc's answer is right */
        NSS_FOUND = 1,
        NSS_NOTFOUND = 2,   /* not in the merged copy: libc may still find it elsewhere (LDAP...) */
};

/* What to look for: name in field 0, or the decimal id in field id_field. */
struct nss_key {
        const char *name;
        unsigned long id;
        int id_field;           /* 0: by name */
};

typedef int (*nss_parse_fn)(const char *line, size_t len, void *ent, char *buf, size_t size);

/* Finds key in the merged copy of file and parses its line into ent and buf. Returns NSS_PASS,
 * NSS_FOUND, NSS_NOTFOUND, or -errno (-ERANGE: buf too small). Saves and restores errno. */
int nss_lookup(const char *file, const struct nss_key *k, nss_parse_fn parse, void *ent,
               char *buf, size_t size);

/* The buffer behind the non-reentrant getpwnam() and friends: grown (mmap) as lines need. */
struct nss_static {
        char *buf;
        size_t size;
};
int nss_lookup_static(struct nss_static *s, const char *file, const struct nss_key *k,
                      nss_parse_fn parse, void *ent);

/* Enumeration (getpwent...): decided at the first call after a reset: the merged copy when
 * the upper holds the file, else libc's own enumeration. */
struct nss_enum {
        struct etc_view view;
        size_t pos;
        int state;              /* 0 undecided, 1 ours, -1 libc's */
};
/* NSS_PASS (use libc's), NSS_FOUND (the next entry), NSS_NOTFOUND (the end) or -ERANGE (the
 * position stays, retry with a larger buffer). */
int nss_enum_next(struct nss_enum *e, const char *file, nss_parse_fn parse, void *ent,
                  char *buf, size_t size);
int nss_enum_next_static(struct nss_enum *e, struct nss_static *s, const char *file,
                         nss_parse_fn parse, void *ent);
void nss_enum_reset(struct nss_enum *e);

#endif
