/* The resolver's configuration from the merged /etc/resolv.conf; see resolv_sync.c. */
#ifndef PRELOAD_RESOLV_SYNC_H
#define PRELOAD_RESOLV_SYNC_H

/* Before a name lookup: when the upper holds /etc/resolv.conf, puts its nameservers, search
 * list and ndots into this thread's resolver state. Otherwise one memory-only test. */
void preload_resolv_sync(void);

#endif
