#!/usr/bin/env bash
# A scratch image: nothing but the make dist tree copied to /opt/rwshim and a static program
# (busybox-static); no C library, no shell but busybox's, no /tmp of its own. rwshim is the
# entrypoint; run by podman read-only as an arbitrary uid, the static program's denied write into
# /etc fails natively and works under rwshim (default upper: podman's tmpfs /tmp).
. "$(dirname "$0")/../lib.sh"
. "$RWSHIM_SRC/tests/container/lib.sh"
ct_need_engine
ct_dist
root=$T/scratch
mkdir -p "$root/opt" "$root/bin" "$root/etc"
cp -a "$DIST" "$root/opt/rwshim"
cp /bin/busybox "$root/bin/busybox"
echo v1 > "$root/etc/app.conf"
img=localhost/rwshim-test/scratch:$TEST_UID
out=$(tar -C "$root" -c . | pod import --change 'ENTRYPOINT ["/opt/rwshim/bin/rwshim", "run", "--"]' - "$img" 2>&1) ||
  fail "podman import failed: $out"
trap 'pod rmi -f "$img" >/dev/null 2>&1; cleanup_test' EXIT
SH=(/bin/busybox sh -c 'echo v2 > /etc/app.conf && /bin/busybox cat /etc/app.conf')

note "native: the static program cannot write /etc"
out=$(pod run --rm "${CT_OPTS[@]}" --entrypoint '[]' "$img" "${SH[@]}" 2>&1) && fail "native write should fail: $out"
assert_contains "$out" "Read-only file system"
note "under the rwshim entrypoint it can, in the default upper"
out=$(pod run --rm "${CT_OPTS[@]}" "$img" "${SH[@]}" 2>&1) || fail "rwshim in a scratch image failed: $out"
assert_eq "$out" v2 "the static program reads back its write"
out=$(pod run --rm "${CT_OPTS[@]}" --entrypoint '["/opt/rwshim/bin/rwshim", "run", "-v", "--"]' "$img" "${SH[@]}" 2>&1)
assert_contains "$out" "/tmp/rwshim-$TEST_UID"
echo ok
