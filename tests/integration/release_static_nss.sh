#!/usr/bin/env bash
# The static rwshim never loads NSS modules: glibc's getpwuid() in a static program dlopen()s the
# image's libnss_*.so (built for another glibc), and with "passwd: files systemd" that crashed
# `run --passwd` and doctor (SIGSEGV in libnss_systemd). Users known only through another NSS
# source are asked of the image's getent(1) instead. Here /etc/passwd lacks "nobody" (a bind
# mount), which nss-systemd still knows: natively files alone miss it, getent finds it; under
# `run --passwd` rwshim does not crash and adds no second entry; doctor runs for that uid too.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv getent unshare
grep -Eq '^passwd:.*systemd' /etc/nsswitch.conf 2>/dev/null || skip "nsswitch.conf has no systemd source for passwd"
[ -e /lib/x86_64-linux-gnu/libnss_systemd.so.2 ] || skip "libnss_systemd not installed"
grep -v '^nobody:' /etc/passwd > "$T/passwd"; chmod 644 "$T/passwd"
mkdir -p "$T/up"; chmod 1777 "$T/up"
cat > "$T/in_ns.sh" <<'SH'
mount --bind "$1/passwd" /etc/passwd || exit 90
shift; exec "$@"
SH
ns() { unshare -m -- bash "$T/in_ns.sh" "$T" "$@"; }
ns_as() { # UID CMD...: CMD as UID in that mount namespace
  local uid=$1; shift
  ns env -i PATH=/usr/bin:/bin HOME=/ ${LD_PRELOAD:+LD_PRELOAD=$LD_PRELOAD} ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
    setpriv --reuid="$uid" --regid="$uid" --clear-groups -- "$@"
}

note "natively: /etc/passwd has no entry for 65534, nss-systemd has one"
assert_eq "$(ns grep -c '^nobody:' /etc/passwd)" 0 "nobody in the bind-mounted passwd"
assert_contains "$(ns getent passwd 65534)" "nobody:"

note "run --passwd as 65534: no crash, no entry added, the run sees nss-systemd's name"
out=$(ns_as 65534 "$RW" run --passwd --upper "$T/up/u" -- id -un 2>&1); st=$?
assert_eq "$st" 0 "run --passwd status: $out"
assert_eq "$(tail -n 1 <<<"$out")" nobody "the user name in the run"
[ ! -e "$T/up/u/fs/etc/passwd" ] || fail "an entry was added for a user NSS knows: $(cat "$T/up/u/fs/etc/passwd" | tail -1)"

note "run --passwd as $TEST_UID (no entry anywhere): the entry is added"
out=$(ns_as "$TEST_UID" "$RW" run --passwd --upper "$T/up/v" -- id -un 2>&1); st=$?
assert_eq "$st" 0 "run --passwd status: $out"
assert_contains "$(cat "$T/up/v/fs/etc/passwd")" ":$TEST_UID:$TEST_UID:"

note "doctor as 65534 under the same mounts does not crash"
out=$(ns_as 65534 "$RW" doctor 2>&1) || fail "doctor failed: $out"
echo ok
