#!/usr/bin/env bash
# check --backend userns: a Python program that catches PermissionError but not other OSErrors
# behaves as on a real read-only root (it crashes with EROFS), where Landlock's EACCES would let
# it carry on. Shown against a real read-only bind mount.
. "$(dirname "$0")/../lib.sh"
need_root
PY=/usr/bin/python3
[ -x $PY ] || skip "python3 not installed"
mkdir -p "$T/state"; user_dir "$T/state"
cat > "$T/app.py" <<'PY'
import sys
try:
    open(sys.argv[1] + "/cache.db", "w").write("x")
    print("wrote")
except PermissionError:
    print("no permission: carrying on without a cache")
PY
chmod a+r "$T/app.py"

note "native (writable state dir): it writes"
out=$(as_user_native $PY "$T/app.py" "$T/state"); assert_eq "$out" "wrote" "native"
rm -f "$T/state/cache.db"

note "real read-only root: OSError(EROFS) is not a PermissionError, the program crashes"
ref=$(in_ro_mounts "$T/state" setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups env -i $PY "$T/app.py" "$T/state" 2>&1); ref_st=$?
[ "$ref_st" -ne 0 ] || fail "reference should crash: $ref"
assert_contains "$ref" "Read-only file system"

note "userns backend: the same crash, the same status"
out=$(as_user "$RW" check --backend userns -- $PY "$T/app.py" "$T/state" 2>&1); st=$?
[ "$st" = 125 ] && skip "userns backend unavailable: $out"
assert_eq "$st" "$ref_st" "userns status"
assert_contains "$out" "Read-only file system"
assert_contains "$out" "$T/state/ (EROFS"

note "landlock backend, for contrast: EACCES is a PermissionError, the program carries on"
out=$(as_user "$RW" check --backend landlock -- $PY "$T/app.py" "$T/state" 2>&1); st=$?
[ "$st" = 125 ] && skip "landlock unavailable: $out"
assert_contains "$out" "carrying on"
assert_eq "$st" 3 "landlock: exit 3"
echo ok
