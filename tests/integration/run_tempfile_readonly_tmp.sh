# Python's tempfile with a read-only /tmp and /var/tmp (bind mounts in a mount namespace):
# natively "No usable temporary directory"; under rwshim --memory it works.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd unshare setpriv; need_shm
code='import tempfile; f = tempfile.NamedTemporaryFile(); f.write(b"x"); f.flush(); print("ok", f.name)'
# The scratch dir lives in /tmp: the test copies rwshim out of it first.
bin=$(mktemp -d /run/rwshim-bin.XXXXXX); chmod 755 "$bin"; cp -r "$T/bin" "$T/lib" "$bin/"
trap 'rm -rf "$bin"; cleanup_test' EXIT
script="$bin/t.sh"
cat > "$script" <<SH
set -e
mount --bind /tmp /tmp; mount -o remount,bind,ro /tmp
mount --bind /var/tmp /var/tmp; mount -o remount,bind,ro /var/tmp
cd /
if setpriv --reuid=$TEST_UID --regid=$TEST_UID --clear-groups env -i PATH=/usr/bin:/bin HOME=/ $PY -c '$code' 2>&1; then echo NATIVE-WORKED; fi
setpriv --reuid=$TEST_UID --regid=$TEST_UID --clear-groups env -i PATH=/usr/bin:/bin HOME=/ ${LD_PRELOAD:+LD_PRELOAD=$LD_PRELOAD} ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
  $bin/bin/rwshim run --memory -- $PY -c '$code'
SH
out=$(unshare -m bash "$script" 2>&1) || fail "under rwshim: $out"
assert_not_contains "$out" "NATIVE-WORKED" "tempfile worked natively: the test proves nothing"
assert_contains "$out" "No usable temporary directory"
assert_contains "$out" "ok /tmp/"
echo ok
