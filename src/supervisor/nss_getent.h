/* Asking the image's NSS sources (LDAP, systemd-userdb, ...) from the static rwshim. glibc's
 * getpwuid() and friends in a static program dlopen() the image's libnss_*.so modules, built for
 * another glibc: on a host with "passwd: files systemd" that crashed `run --passwd`. The image's
 * own getent(1), linked with its own libc, asks them instead. */
#ifndef SUPERVISOR_NSS_GETENT_H
#define SUPERVISOR_NSS_GETENT_H

#include <stddef.h>

/* Runs `getent DB KEY` (found on PATH) and stores its output, NUL-terminated, in out. Returns its
 * length when getent found the key, 0 when it did not, is not installed or its output does not
 * fit, or -errno when it could not be run. */
long sup_getent(const char *db, const char *key, char *out, size_t size);

#endif
