#!/usr/bin/env bash
# rwshim in an image with no glibc at all (ld-musl, a musl program, busybox-static as /bin/sh),
# run by podman as an arbitrary uid, read-only root, no capabilities, no-new-privileges, with the
# make dist tree mounted read-only: the static rwshim starts; a static program (busybox) writing
# into /etc fails natively and works under run, its state persisting; trace and check report it.
. "$(dirname "$0")/../lib.sh"
. "$RWSHIM_SRC/tests/container/lib.sh"
ct_need_engine
img=$(ct_image musl) || fail "cannot build the musl image: $img"
ct_dist
ct_state "$T/state"
RUN=(/opt/rwshim/bin/rwshim run --upper /state --)
VOL=(-v "$T/state:/state")

note "the image has no glibc, and rwshim starts in it"
out=$(ct_run "$img" -- sh -c 'ls /lib /usr/lib 2>/dev/null; ls /lib64 2>&1' 2>&1)
assert_not_contains "$out" "libc.so.6"
assert_contains "$out" "ld-musl-x86_64.so.1"
out=$(ct_run "$img" -- /opt/rwshim/bin/rwshim --version 2>&1) || fail "rwshim does not start without a C library: $out"
assert_contains "$out" "rwshim "

note "native: the static shell cannot keep its state in /etc"
out=$(ct_run "$img" -- sh -c 'n=$(cat /etc/counter 2>/dev/null || echo 0); echo $((n + 1)) > /etc/counter' 2>&1) &&
  fail "native write into /etc should fail"
assert_contains "$out" "Read-only file system"

note "under run the state persists across containers"
script='n=$(cat /etc/counter 2>/dev/null || echo 0); echo $((n + 1)) > /etc/counter && cat /etc/counter'
out=$(ct_run "$img" "${VOL[@]}" -- "${RUN[@]}" sh -c "$script" 2>&1) || fail "run failed: $out"
assert_eq "$out" 1 "first run"
out=$(ct_run "$img" "${VOL[@]}" -- "${RUN[@]}" sh -c "$script" 2>&1) || fail "second run failed: $out"
assert_eq "$out" 2 "second run sees the first one's state"
assert_eq "$(cat "$T/state/fs/etc/counter")" 2 "the state is in the upper"

note "trace reports the refused write of the static program"
out=$(ct_run "$img" -- /opt/rwshim/bin/rwshim trace -- sh -c 'echo x > /etc/counter' 2>&1); st=$?
assert_eq "$st" 1 "trace returns the command's status"
assert_contains "$out" "REFUSED"
assert_contains "$out" "/etc/ (EROFS"

note "check: a write outside the writable set (the tmpfs /tmp) is refused and reported"
out=$(ct_run "$img" -- /opt/rwshim/bin/rwshim check --writable /dev -- sh -c 'echo x > /tmp/x; echo x > /dev/null' 2>&1); st=$?
assert_eq "$st" 3 "check status: $out"
assert_contains "$out" "1 write outside the writable set"

note "doctor runs there too (no NSS modules to load)"
out=$(ct_run "$img" -- /opt/rwshim/bin/rwshim doctor 2>&1) || fail "doctor failed: $out"
assert_contains "$out" "uid $TEST_UID"
echo ok
