#!/usr/bin/env bash
# doctor --prove where /dev/shm is not usable (a chroot or a container without a tmpfs there):
# the in-memory upper of the simulation falls back to /tmp, and the read-only root the proof
# runs under must let that upper be written. It once granted only /dev/shm, so every proof
# died with "cannot use upper dir: /tmp/rwshim-<uid>-memory.*: Permission denied".
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd unshare setpriv
"$RW" check -- true >/dev/null 2>&1 || skip "check unavailable here (no Landlock)"

mkdir -p "$T/ro" && root_tree "$T/ro"
user_dir "$T/out"
as_user "$RW" trace --json -o "$T/out/t.json" -- /bin/sh -c "echo x > $T/ro/state" >/dev/null 2>&1
grep -q '"denied":true' "$T/out/t.json" || fail "trace recorded no refusal"

script=$T/prove.sh
cat > "$script" <<SH
mount -t tmpfs -o mode=0755 rwshim-test-noshm /dev/shm || exit 99
cd "$T/out"
setpriv --reuid=$TEST_UID --regid=$TEST_UID --clear-groups env -i PATH=/usr/bin:/bin HOME=/ \
  ${LD_PRELOAD:+LD_PRELOAD=$LD_PRELOAD} ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
  "$RW" doctor --from t.json --prove 2>&1
SH
out=$(unshare -m bash "$script"); st=$?
[ "$st" -ne 99 ] || skip "cannot mount a tmpfs over /dev/shm here"
assert_eq "$st" 0 "doctor --prove without a usable /dev/shm ($out)"
assert_not_contains "$out" "cannot use upper dir"
assert_contains "$out" "proven: "
assert_contains "$out" "$T/ro"
echo ok
