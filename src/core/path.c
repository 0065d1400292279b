/* Lexical path normalisation (preload-safe). */
#include "core/path.h"

#include <errno.h>
#include <string.h>

/* Appends component [c, c+len) to out (length *n), handling "." and "..". */
static int push_component(char *out, size_t size, size_t *n, const char *c, size_t len)
{
        if (len == 0 || (len == 1 && c[0] == '.'))
                return 0;
        if (len == 2 && c[0] == '.' && c[1] == '.') {
                while (*n > 0 && out[*n - 1] != '/')
                        (*n)--;
                if (*n > 0)
                        (*n)--;     /* drop the slash too: "/a/b" -> "/a" */
                return 0;
        }
        if (*n + 1 + len + 1 > size)
                return -ENAMETOOLONG;
        out[(*n)++] = '/';
        memcpy(out + *n, c, len);
        *n += len;
        return 0;
}

static int push_all(char *out, size_t size, size_t *n, const char *p)
{
        while (*p) {
                const char *slash = strchr(p, '/');
                size_t len = slash ? (size_t)(slash - p) : strlen(p);
                int r = push_component(out, size, n, p, len);

                if (r < 0)
                        return r;
                p += len;
                while (*p == '/')
                        p++;
        }
        return 0;
}

int rw_path_normalize(const char *base, const char *path, char *out, size_t size)
{
        size_t n = 0;
        int r;

        if (!path || !*path)
                return -ENOENT;
        if (size < 2)
                return -ENAMETOOLONG;
        if (path[0] != '/') {
                if (!base || base[0] != '/')
                        return -EINVAL;
                r = push_all(out, size, &n, base);
                if (r < 0)
                        return r;
        }
        r = push_all(out, size, &n, path);
        if (r < 0)
                return r;
        if (n == 0)
                out[n++] = '/';
        out[n] = '\0';
        return (int)n;
}

int rw_path_is_under(const char *path, const char *prefix)
{
        size_t n = strlen(prefix);

        if (n == 1 && prefix[0] == '/')
                return path[0] == '/';
        return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int rw_path_split(const char *path, char *parent, size_t size, const char **ret_name)
{
        const char *slash = strrchr(path, '/');
        size_t len;

        if (!slash)
                return -EINVAL;
        len = slash == path ? 1 : (size_t)(slash - path);
        if (len + 1 > size)
                return -ENAMETOOLONG;
        memcpy(parent, path, len);
        parent[len] = '\0';
        *ret_name = slash + 1;
        return 0;
}

int rw_path_in_list(const char *path, const char *list)
{
        size_t plen = strlen(path);

        while (list && *list) {
                const char *end = strchr(list, ':');
                size_t len = end ? (size_t)(end - list) : strlen(list);

                while (len > 1 && list[len - 1] == '/')
                        len--;
                if (len == 1 && list[0] == '/')
                        return 1;
                if (len > 0 && plen >= len && strncmp(path, list, len) == 0 &&
                    (path[len] == '\0' || path[len] == '/'))
                        return 1;
                if (!end)
                        break;
                list = end + 1;
        }
        return 0;
}
