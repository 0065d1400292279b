/* glibc reads /etc/nsswitch.conf through an internal fopen, so sources an entrypoint changed
 * under `run` would never apply. glibc's public __nss_configure_lookup() sets one database's
 * service line as the file would: at start, when the upper holds the file, each of its
 * "database: services" lines is given to it. musl has no NSS configuration: nothing to do. */
#include "preload/nsswitch_sync.h"

#include <errno.h>   /* first: it defines __GLIBC__ where that applies */

#ifdef __GLIBC__
#include <nss.h>
#include <string.h>

#include "preload/etc_view.h"

#define NSSWITCH_FILE "/etc/nsswitch.conf"

/* "passwd:   files systemd  # comment" -> __nss_configure_lookup("passwd", "files systemd"). */
static void configure_line(const char *line, size_t len)
{
        char db[32], services[512];
        const char *colon = memchr(line, ':', len), *hash = memchr(line, '#', len);
        size_t n, s = 0;

        if (hash)
                len = (size_t)(hash - line);
        if (!colon || colon >= line + len)
                return;
        while (s < len && (line[s] == ' ' || line[s] == '\t'))
                s++;
        n = (size_t)(colon - line) - s;
        while (n && (line[s + n - 1] == ' ' || line[s + n - 1] == '\t'))
                n--;
        if (n == 0 || n >= sizeof(db))
                return;
        memcpy(db, line + s, n);
        db[n] = '\0';
        const char *v = colon + 1, *end = line + len;
        while (v < end && (*v == ' ' || *v == '\t'))
                v++;
        while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
                end--;
        if (end == v || (size_t)(end - v) >= sizeof(services))
                return;
        memcpy(services, v, (size_t)(end - v));
        services[end - v] = '\0';
        __nss_configure_lookup(db, services);
}

void preload_nsswitch_init(void)
{
        struct etc_view v;
        const char *line;
        size_t pos = 0, len;
        int saved = errno;

        if (!etc_view_maybe_changed(NSSWITCH_FILE) || etc_view_open(NSSWITCH_FILE, &v) != ETC_CHANGED)
                return;
        while (etc_view_next(&v, &pos, &line, &len))
                configure_line(line, len);
        etc_view_close(&v);
        errno = saved;
}
#else
void preload_nsswitch_init(void)
{
}
#endif
