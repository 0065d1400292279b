#!/usr/bin/env bash
# A musl-linked program keeping state (tests/container/musl_counter.c counts its runs in
# /var/lib/app/count) in the musl-only image, run by podman read-only as an arbitrary uid: it
# fails natively; under run, served by lib/rwshim/librwshim-musl.so of the make dist tree, the
# count persists; trace and check report it. A tree without the musl preload still serves the
# static shell and names the musl program in one line.
. "$(dirname "$0")/../lib.sh"
. "$RWSHIM_SRC/tests/container/lib.sh"
ct_need_engine
img=$(ct_image musl) || fail "cannot build the musl image: $img"
ct_dist
[ -f "$DIST/lib/rwshim/librwshim-musl.so" ] ||
  skip "the dist tree has no lib/rwshim/librwshim-musl.so (musl preload not built: needs musl-gcc and the musl preload of issue h-musl)"
ct_state "$T/state"
RW_IN=/opt/rwshim/bin/rwshim
VOL=(-v "$T/state:/state")

note "native: the musl program cannot write its state"
out=$(ct_run "$img" -- musl-counter 2>&1) && fail "native run should fail: $out"
assert_contains "$out" "musl-counter: /var/lib/app/count: Read-only file system"

note "under run its state persists across containers"
out=$(ct_run "$img" "${VOL[@]}" -- $RW_IN run --upper /state -- musl-counter 2>&1) || fail "run failed: $out"
assert_eq "$out" "count 1" "first run"
out=$(ct_run "$img" "${VOL[@]}" -- $RW_IN run --upper /state -- musl-counter 2>&1) || fail "second run failed: $out"
assert_eq "$out" "count 2" "second run"
assert_eq "$(cat "$T/state/fs/var/lib/app/count")" 2 "the count is in the upper"

note "trace and check see the musl program's refused write"
out=$(ct_run "$img" -- $RW_IN trace -- musl-counter 2>&1); st=$?
assert_eq "$st" 1 "trace returns the command's status"
assert_contains "$out" "/var/lib/app/ (EROFS"
out=$(ct_run "$img" -- $RW_IN check -- musl-counter 2>&1); st=$?
assert_eq "$st" 1 "check returns the command's status"
assert_contains "$out" "/var/lib/app/"

note "a tree without the musl preload: static programs served, the musl one named in one line"
cp -a "$DIST" "$T/nomusl"; rm "$T/nomusl/lib/rwshim/librwshim-musl.so"
NOMUSL=(-v "$T/nomusl:/opt/rwshim:ro")
out=$(pod run --rm "${CT_OPTS[@]}" "${NOMUSL[@]}" "${VOL[@]}" "$img" $RW_IN run --upper /state -- sh -c 'echo ok > /etc/ok; cat /etc/ok' 2>&1) ||
  fail "the static shell is not served without the musl preload: $out"
assert_eq "$out" ok
out=$(pod run --rm "${CT_OPTS[@]}" "${NOMUSL[@]}" "${VOL[@]}" "$img" $RW_IN run --upper /state -- musl-counter 2>&1 >/dev/null)
assert_eq "$(grep -c '^rwshim:' <<<"$out")" 1 "one line from rwshim for the musl program: $out"
assert_contains "$(grep '^rwshim:' <<<"$out")" "musl preload"
assert_contains "$out" "musl-counter: /var/lib/app/count: Read-only file system"   # it ran, untouched
echo ok
