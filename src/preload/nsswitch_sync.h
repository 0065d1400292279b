/* The NSS sources from the merged /etc/nsswitch.conf; see nsswitch_sync.c. */
#ifndef PRELOAD_NSSWITCH_SYNC_H
#define PRELOAD_NSSWITCH_SYNC_H

/* When the upper holds /etc/nsswitch.conf, applies its lines (glibc). Constructor only. */
void preload_nsswitch_init(void);

#endif
