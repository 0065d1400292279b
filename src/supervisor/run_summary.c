/* `run -v` summary of redirected and refused calls. */
#include "supervisor/run_summary.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct seen {
        char *key;
        unsigned count;
};

static const char *str(json_t *o, const char *k)
{
        const char *s = json_string_value(json_object_get(o, k));
        return s ? s : "";
}

void sup_print_run_summary(FILE *out, const char *path, int max)
{
        FILE *f = fopen(path, "r");
        struct seen *list = NULL;
        size_t n = 0, cap = 0, total = 0;
        char *line = NULL;
        size_t len = 0;

        while (f && getline(&line, &len, f) > 0) {
                json_t *o = json_loads(line, 0, NULL);
                char key[8192];

                if (!o)
                        continue;
                snprintf(key, sizeof(key), "%s %s %s%s%s", str(o, "action"), str(o, "op"), str(o, "path"),
                         json_object_get(o, "path2") ? " -> " : "", str(o, "path2"));
                json_decref(o);
                total++;
                size_t i = 0;
                while (i < n && strcmp(list[i].key, key) != 0)
                        i++;
                if (i < n) {
                        list[i].count++;
                        continue;
                }
                if (n == cap) {
                        cap = cap ? 2 * cap : 64;
                        struct seen *nl = realloc(list, cap * sizeof(*list));
                        if (!nl)
                                break;
                        list = nl;
                }
                list[n].key = strdup(key);
                list[n++].count = 1;
        }
        if (f)
                fclose(f);
        free(line);
        if (!total)
                fprintf(out, "rwshim: nothing was redirected\n");
        else
                fprintf(out, "rwshim: %zu call%s redirected or refused, %zu distinct:\n", total, total == 1 ? "" : "s", n);
        for (size_t i = 0; i < n; i++) {
                if ((int)i < max)
                        fprintf(out, "rwshim:   %s%s\n", list[i].key, list[i].count > 1 ? " (repeated)" : "");
                free(list[i].key);
        }
        if ((int)n > max)
                fprintf(out, "rwshim:   ... and %zu more (see `rwshim diff`)\n", n - (size_t)max);
        free(list);
}
