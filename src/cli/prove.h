/* --prove, for `check --suggest` and `doctor --from`: run the command again with the proposed
 * fixes simulated, unprivileged, and say for each whether it is enough. Knobs are set in the
 * command's environment; each writable mount (and a knob's dir) is simulated by redirecting only
 * that path into an in-memory upper (the engine's --only), its mount point made to exist first
 * as a runtime would; everything else is read-only (check's Landlock root). A fix is proven when
 * the command then passes with nothing refused: it wrote only where the fixes allow. A fix that
 * saw no write in a passing run is tried away in a second run; if the command passes without
 * it, it is "not needed" (a fallback's target in the trace, say), so the fix stays the smallest. */
#ifndef CLI_PROVE_H
#define CLI_PROVE_H

#include <stdio.h>

#include "core/advice.h"
#include "core/err.h"

/* NOT_NEEDED: the command passed without it (nothing written where it allows), and passed
 * again with it left out. */
enum prove_verdict { PROVE_UNTESTED, PROVE_PROVEN, PROVE_NOT_ENOUGH, PROVE_NOT_NEEDED };

struct prove_item {
        struct rw_fix fix;          /* in */
        enum prove_verdict verdict; /* out */
        long writes;                /* out: writes the command made beneath the fix's path */
};

#define PROVE_MAX_REFUSED 8

struct prove_result {
        int status;                 /* the command's exit status under the simulation */
        size_t nrefused;            /* writes still refused (those listed: at most PROVE_MAX_REFUSED) */
        char refused[PROVE_MAX_REFUSED][PATH_MAX + 32];   /* "mkdir /x (EACCES)" */
};

/* Runs argv with items simulated and fills in their verdicts and r. Returns 0, or -errno with e
 * set when the proof could not be run (the command does not exist, Landlock is unavailable). */
int cli_prove(char *const *argv, struct prove_item *items, size_t n, int verbose,
              struct prove_result *r, struct rw_err *e);

/* The verdict lines: "proven: <fix>: the command passed and wrote only there (N writes)" or
 * "not enough: <fix>: still refused: ...". */
void cli_prove_print(FILE *out, char *const *argv, const struct prove_item *items, size_t n,
                     const struct prove_result *r);



/* The same as one NDJSON line: {"ev":"prove","status":N,"passed":B,"refused":[...],
 * "fixes":[{"kind","path","env","value","source","verdict","writes"}]}. */
void cli_prove_json(FILE *out, const struct prove_item *items, size_t n, const struct prove_result *r);

/* check --suggest --prove: proves the fixes of a check run. Returns 0, or -1 after printing
 * why the proof could not be run. */
int cli_check_prove(FILE *out, char *const *argv, const struct rw_fix *fixes, long n, int json,
                    int verbose);
#endif
