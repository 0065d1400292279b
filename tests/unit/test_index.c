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
