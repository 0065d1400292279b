/* What a cwd in the upper costs a static program under `rwshim run` (bench/static-cwd builds it
 * with -static and runs it natively and under rwshim).
 *
 *   static_cwd DIR [N]   DIR holds a file f and a directory sub; prints "name<TAB>ns" per call:
 *     rel_stat_lower   stat("f") with the cwd at DIR        (the kernel's cwd is not the upper)
 *     abs_stat         stat("DIR/sub/g")                    (absolute path, same target below)
 *     rel_stat_upper   stat("g") with the cwd at DIR/sub    (the kernel's cwd is the upper copy
 *                                                            when only the upper holds sub)
 *     abs_stat_from_upper  the absolute stat again, cwd at DIR/sub
 *     getcwd_lower / getcwd_upper  getcwd(2), now notified, from DIR and from DIR/sub
 *     chdir_upper      chdir("DIR/sub") + chdir("DIR")      (the first is rewritten at a ptrace stop)
 * Each is the median of 9 batches of N calls (default 2000). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BATCHES 9

static const char *dir;
static char sub[4096], abs_g[4096];

static double now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return (x > y) - (x < y);
}

static int rel_stat_lower(void) { struct stat st; return stat("f", &st); }
static int abs_stat(void) { struct stat st; return stat(abs_g, &st); }
static int rel_stat_upper(void) { struct stat st; return stat("g", &st); }
static int getcwd_call(void) { char b[4096]; return getcwd(b, sizeof(b)) ? 0 : -1; }
static int chdir_upper(void) { return chdir(sub) | chdir(dir); }

static void measure(const char *name, const char *cwd, int (*op)(void), long n)
{
        double t[BATCHES];

        if (chdir(cwd) < 0 || op() != 0) {
                fprintf(stderr, "%s: fails\n", name);
                exit(1);
        }
        for (int b = 0; b < BATCHES; b++) {
                double t0 = now_ns();
                for (long i = 0; i < n; i++)
                        op();
                t[b] = (now_ns() - t0) / (double)n;
        }
        qsort(t, BATCHES, sizeof(t[0]), cmp);
        printf("%s\t%.0f\n", name, t[BATCHES / 2]);
}

int main(int argc, char **argv)
{
        long n = argc > 2 ? atol(argv[2]) : 2000;

        if (argc < 2)
                return 2;
        dir = argv[1];
        snprintf(sub, sizeof(sub), "%s/sub", dir);
        snprintf(abs_g, sizeof(abs_g), "%s/sub/g", dir);
        measure("rel_stat_lower", dir, rel_stat_lower, n);
        measure("abs_stat", dir, abs_stat, n);
        measure("rel_stat_upper", sub, rel_stat_upper, n);
        measure("abs_stat_from_upper", sub, abs_stat, n);
        measure("getcwd_lower", dir, getcwd_call, n);
        measure("getcwd_upper", sub, getcwd_call, n);
        measure("chdir_upper", dir, chdir_upper, n / 10 + 1);
        measure("abs_stat_again", dir, abs_stat, n);
        return 0;
}
