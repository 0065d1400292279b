/* The local time zone: tzset() reads /etc/localtime through libc's internal open, so a zone
 * an entrypoint set under `run` (ln -sf /usr/share/zoneinfo/X /etc/localtime) would never be
 * seen. At start, when the upper holds /etc/localtime and the program has no TZ of its own,
 * the preload sets TZ=:<the merged file> (the zoneinfo file the link points to, so the zone's
 * name stays readable from TZ), and RWSHIM_TZ to the same value: a child finding TZ equal to
 * RWSHIM_TZ knows rwshim chose it and chooses again, in case the zone changed in between. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "preload/etc_view.h"
#include "preload/state.h"
#include "preload/wrap_time.h"

#define LOCALTIME_FILE "/etc/localtime"

void preload_tz_init(void)
{
        const char *tz = getenv("TZ"), *ours = getenv("RWSHIM_TZ");
        char real[PATH_MAX], value[PATH_MAX + 2];

        if (tz && !(ours && strcmp(tz, ours) == 0))
                return;   /* the program's own choice */
        if (etc_view_real_path(LOCALTIME_FILE, real, sizeof(real)) != ETC_CHANGED)
                return;
        if (real[0]) {
                value[0] = ':';
                memcpy(value + 1, real, strlen(real) + 1);
        } else {
                memcpy(value, "UTC0", 5);   /* deleted: libc's default zone */
        }
        if (tz && strcmp(tz, value) == 0)
                return;
        setenv("TZ", value, 1);
        setenv("RWSHIM_TZ", value, 1);
}
