/* Unit tests for core/index.c: the shared "may be in the upper" filter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/index.h"
#include "tap.h"

int main(void)
{
        struct rw_index *idx = mmap(NULL, rw_index_file_size(), PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        rw_index_init(idx);
        ok(rw_index_validate(idx, rw_index_file_size()) == 0, "fresh index validates");
        ok(rw_index_empty(idx), "fresh index is empty");
        is_int(rw_index_query(idx, "/a/b"), 0, "nothing in an empty index");
        rw_index_add(idx, "/srv/data/cache");
        ok(!rw_index_empty(idx), "not empty after add");
        is_int(rw_index_query(idx, "/srv/data/cache"), RW_INDEX_UNDER | RW_INDEX_ANCESTOR, "entry itself");
        is_int(rw_index_query(idx, "/srv/data/cache/x/y"), RW_INDEX_UNDER | RW_INDEX_ANCESTOR, "below the entry");
        is_int(rw_index_query(idx, "/srv/data"), RW_INDEX_ANCESTOR, "parent is an ancestor only");
        is_int(rw_index_query(idx, "/"), RW_INDEX_ANCESTOR, "root is an ancestor");
        is_int(rw_index_query(idx, "/srv/data/cachex"), 0, "sibling with common prefix");
        is_int(rw_index_query(idx, "/srv/other"), 0, "unrelated path");
        ok(!rw_index_maybe_opaque(idx, "/srv/data", strlen("/srv/data")), "not opaque");
        rw_index_add_opaque(idx, "/srv/data");
        ok(rw_index_maybe_opaque(idx, "/srv/data", strlen("/srv/data")), "opaque after marking");
        is_int(rw_index_query(idx, "/srv/data/other"), 0, "opaque marker is not an entry for children");
        /* Queries below a precomputed dir agree with full queries (random trees). */
        {
                static const char *const parts[] = { "a", "b", "cache", "data", "x.y", "srv" };
                struct rw_index *t = mmap(NULL, rw_index_file_size(), PROT_READ | PROT_WRITE,
                                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                char dir[256], rel[256], full[512];
                int agree = 1, checked = 0, hits = 0;

                rw_index_init(t);
                srand(7);
                for (int i = 0; i < 40; i++) {
                        snprintf(full, sizeof(full), "/%s/%s/%s", parts[rand() % 6], parts[rand() % 6], parts[rand() % 6]);
                        full[rand() % 3 == 0 ? 2 + (int)strlen(parts[0]) : (int)strlen(full)] = '\0';
                        rw_index_add(t, full);
                }
                for (int i = 0; i < 20000; i++) {
                        int dn = rand() % 3, rn = 1 + rand() % 3;
                        strcpy(dir, dn ? "" : "/");
                        for (int k = 0; k < dn; k++)
                                strcat(dir, "/"), strcat(dir, parts[rand() % 6]);
                        rel[0] = '\0';
                        for (int k = 0; k < rn; k++) {
                                if (k)
                                        strcat(rel, "/");
                                strcat(rel, parts[rand() % 6]);
                        }
                        struct rw_index_prefix pre;
                        rw_index_prefix_of(t, dir, &pre);
                        snprintf(full, sizeof(full), "%s/%s", strcmp(dir, "/") ? dir : "", rel);
                        int want = rw_index_query(t, full);
                        hits += want != 0;
                        agree &= want == rw_index_query_below(t, &pre, rel);
                        agree &= rw_index_prefix_fresh(t, &pre);
                        checked++;
                }
                ok(agree && hits > 2000 && checked - hits > 2000,
                   "query below a dir agrees with the full query (%d paths, %d hits)", checked, hits);
                struct rw_index_prefix pre;
                rw_index_prefix_of(t, "/srv", &pre);
                rw_index_add(t, "/brand/new");
                ok(!rw_index_prefix_fresh(t, &pre), "a new entry makes a precomputed dir stale");
                munmap(t, rw_index_file_size());
        }
        /* The mapping is shared with every process of the run: one that rewrites the header
         * after we validated it (a hostile or broken program of the same user) must not make
         * queries or adds reach outside the table. */
        {
                struct rw_index *h = mmap(NULL, rw_index_file_size(), PROT_READ | PROT_WRITE,
                                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                rw_index_init(h);
                rw_index_add(h, "/kept/entry");
                ok(rw_index_validate(h, rw_index_file_size()) == 0, "validated before the damage");
                h->hdr.slots = 0xffffffffu;
                rw_index_add(h, "/after/damage");
                is_int(rw_index_query(h, "/kept/entry/x"), RW_INDEX_UNDER | RW_INDEX_ANCESTOR,
                       "a rewritten slot count is not used to index the table");
                h->hdr.slots = 0;
                is_int(rw_index_query(h, "/after/damage"), RW_INDEX_UNDER | RW_INDEX_ANCESTOR,
                       "a zero slot count neither");
                munmap(h, rw_index_file_size());
        }
        /* Saturation: past three quarters full, everything is "maybe". */
        char p[64];
        for (unsigned i = 0; i < RW_INDEX_SLOTS; i++) {
                snprintf(p, sizeof(p), "/many/%u", i);
                rw_index_add(idx, p);
        }
        is_int(rw_index_query(idx, "/never/added"), RW_INDEX_UNDER | RW_INDEX_ANCESTOR, "saturated index says maybe");
        idx->hdr.magic = 0;
        ok(rw_index_validate(idx, rw_index_file_size()) < 0, "bad magic refused");
        return tap_done();
}
