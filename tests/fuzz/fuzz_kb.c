/* libFuzzer: a knowledge-base file (core/kb.c). The knowledge base is data the user can extend
 * or override (a DIR/kb/<tool>.json of their own), so a file that is not JSON, lacks fields,
 * has the wrong types or hostile templates ("{home}{home}...", unknown variables, huge
 * patterns) must be loaded or refused naming the file, and matching paths against whatever was
 * loaded must stay within its buffers. The input is the file; paths matched come from a fixed
 * list plus the input's own strings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/kb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[128], file[192];

static void remove_dir(void)
{
        char kb[160];

        snprintf(kb, sizeof(kb), "%s/kb", dir);
        unlink(file), rmdir(kb), rmdir(dir);
}

static const char *const probes[] = {
        "/", "/root/.cache/matplotlib", "/home/u/.config/x/y", "/tmp/a", "/usr/lib/python3/dist-packages/p/__pycache__/m.pyc",
        "/nonexistent/.local/state/s", "/run/user/1000/x", "/var/tmp/z",
};

static void match_all(const struct rw_kb *kb, const char *extra)
{
        struct rw_kb_ctx ctx = { .home = "/home/u", .cwd = "/w", .user = "u", .uid = 1000 };
        struct rw_kb_matcher *mt = NULL;
        struct rw_kb_match m;
        char buf[4096];

        for (size_t i = 0; i < rw_kb_count(kb); i++) {
                const struct rw_kb_tool *t = rw_kb_tool_at(kb, i);
                (void)rw_kb_find(kb, t->name);
                for (size_t j = 0; j < t->n_paths; j++) {
                        (void)rw_kb_expand(t->paths[j].template, &ctx, "/c", "/s", buf, sizeof(buf));
                        if (t->paths[j].relocate)
                                (void)rw_kb_expand(t->paths[j].relocate, &ctx, "/c", "/s", buf, sizeof(buf));
                }
        }
        for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
                (void)rw_kb_match_path(kb, probes[i], &ctx, &m);
        if (extra)
                (void)rw_kb_match_path(kb, extra, &ctx, &m);
        if (rw_kb_matcher_new(kb, &ctx, &mt) >= 0 && mt) {
                for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
                        (void)rw_kb_matcher_match(mt, probes[i], &m);
                if (extra)
                        (void)rw_kb_matcher_match(mt, extra, &m);
                rw_kb_matcher_free(mt);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct rw_kb *kb = NULL;
        struct rw_err e;
        char extra[512];
        FILE *f;

        if (!dir[0]) {
                snprintf(dir, sizeof(dir), "/dev/shm/rwshim-fuzz-kb-%d", (int)getpid());
                snprintf(file, sizeof(file), "%s/kb/fuzz.json", dir);
                mkdir(dir, 0700);
                strcat(dir, "/kb"), mkdir(dir, 0700), dir[strlen(dir) - 3] = '\0';
                atexit(remove_dir);
        }
        if (!(f = fopen(file, "we")) || fwrite(data, 1, size, f) != size || fclose(f) != 0)
                abort();
        /* A path the input names: the text after the last '\n', made absolute. */
        const uint8_t *nl = size ? memrchr(data, '\n', size) : NULL;
        size_t off = nl ? (size_t)(nl - data) + 1 : size, len = size - off;
        extra[0] = '/';
        len = len < sizeof(extra) - 2 ? len : sizeof(extra) - 2;
        memcpy(extra + 1, data + off, len);
        extra[len + 1] = '\0';
        if (rw_kb_load(dir, &kb, &e) >= 0) {
                match_all(kb, strlen(extra) == len + 1 ? extra : NULL);
                rw_kb_free(kb);
        }
        return 0;
}
