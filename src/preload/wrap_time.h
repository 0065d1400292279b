/* The local time zone under run; see wrap_time.c. */
#ifndef PRELOAD_WRAP_TIME_H
#define PRELOAD_WRAP_TIME_H

/* Sets TZ to the merged /etc/localtime when the upper holds it. Constructor only. */
void preload_tz_init(void);

#endif
