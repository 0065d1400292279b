#!/usr/bin/env bash
# trace, incident 2: matplotlib plus the app's own JSON store under an unwritable HOME.
# matplotlib is attributed with MPLCONFIGDIR; the store with the app's own module and line.
. "$(dirname "$0")/../lib.sh"
need_root
PY=/usr/bin/python3
[ -x $PY ] && $PY -c 'import matplotlib' 2>/dev/null || skip "python3-matplotlib not installed"

mkdir -p "$T/app" "$T/home"
incident2_app "$T/app"
root_tree "$T/app"; root_tree "$T/home"
export USER_HOME=$T/home
STORE_LINE=$(grep -n 'os.makedirs' "$T/app/store.py" | cut -d: -f1)

note "native: the store crashes the app, matplotlib complains"
out=$(as_user_native $PY "$T/app/main.py" 2>&1); st=$?
[ "$st" -ne 0 ] || fail "native run should fail: $out"
assert_contains "$out" "PermissionError"

note "trace: both culprits, with the line and the fix"
out=$(as_user "$RW" trace -- $PY "$T/app/main.py" 2>&1); st=$?
assert_eq "$st" "1" "trace keeps the status"
assert_contains "$out" "REFUSED"
assert_contains "$out" "matplotlib: $T/home/"
assert_contains "$out" "MPLCONFIGDIR"
assert_contains "$out" "store: $T/home/"
assert_contains "$out" "at $T/app/store.py:$STORE_LINE"

note "trace --json: the same, machine-readable"
out=$(as_user "$RW" trace --json -- $PY "$T/app/main.py" 2>&1 >/dev/null | grep '^{')
python3 - "$T" "$STORE_LINE" <<PY || fail "JSON attribution wrong: $out"
import json, sys
t, line = sys.argv[1], int(sys.argv[2])
ev = [json.loads(l) for l in '''$out'''.splitlines()]
mpl = [e for e in ev if e["denied"] and e.get("culprit") == "matplotlib"]
assert mpl and "MPLCONFIGDIR" in mpl[0]["fix"] and mpl[0]["tool"] == "matplotlib", mpl
st = [e for e in ev if e["denied"] and e["path"].startswith(t + "/home/.myapp")]
assert st and st[0]["culprit"] == "store", st
assert st[0]["python"][0] == {"file": t + "/app/store.py", "line": line}, st[0]["python"]
assert st[0]["errno"] == "EACCES" and st[0]["exe"], st[0]
PY
echo ok
