/* `run -v`: what the run redirected, read back from the preload's event records. */
#ifndef SUPERVISOR_RUN_SUMMARY_H
#define SUPERVISOR_RUN_SUMMARY_H

#include <stdio.h>

/* Prints one line per distinct (action, op, path) in the NDJSON file at path, at most max
 * lines then a count of the rest, to out. Missing or empty file: prints that nothing was
 * redirected. */
void sup_print_run_summary(FILE *out, const char *path, int max);

#endif
