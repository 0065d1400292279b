#!/usr/bin/env bash
# Advice never hides content. A file written directly into a non-empty system dir (/var/lib)
# gets a file mount, never a volume over /var/lib; an app living under /var/tmp never gets a
# volume over /var/tmp or over its own dir (its state file: a file mount; its temp files with
# changing names beside itself: rwshim run). Seen in trace --json, check --suggest and doctor.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd setpriv
as_user_native $PY -c 'import yaml' 2>/dev/null || skip "python3-yaml needed"
[ -n "$(ls -A /var/lib)" ] || skip "/var/lib is empty here"

APPDIR=$(mktemp -d /var/tmp/rwshim-advice-app.XXXXXX)
Q=/var/lib/rwshim-advice-q.$(basename "$APPDIR" | cut -d. -f2)
trap 'rm -rf "$APPDIR" "$Q"; cleanup_test' EXIT
chmod 0755 "$APPDIR"
cat >"$APPDIR/app.py" <<PY
import os, sys, tempfile
with open("$APPDIR/state.json", "w") as f:      # next to itself
    f.write("{}")
fd, name = tempfile.mkstemp(dir="$APPDIR")       # a temp file beside itself
os.close(fd); os.unlink(name)
print("ok")
PY
root_tree "$APPDIR"
user_dir "$T/out"
cd "$T/out"

note "native: refused"
out=$(as_user_native $PY -c "open('$Q', 'w').write('q')" 2>&1) && fail "writing $Q passed natively"
assert_contains "$out" "PermissionError"
out=$(as_user_native $PY "$APPDIR/app.py" 2>&1) && fail "the app passed natively"
assert_contains "$out" "PermissionError"

note "trace --json: /var/lib/q gets a file mount"
as_user "$RW" trace --json -o q.json -- $PY -c "open('$Q', 'w').write('q')" >/dev/null 2>&1
python3 - q.json "$Q" <<'PY' || fail "fix for $Q: $(grep -F "$Q" q.json | head -c 1500)"
import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
e = [x for x in e if x["denied"] and x["path"] == sys.argv[2]][0]
assert e["fix_kind"] == "file-mount" and e["fix_path"] == sys.argv[2] and e["fix_source"] == "inferred", e
PY

note "check --suggest on a read-only root: the same, and no /var/lib volume"
out=$(as_user "$RW" check --suggest -- $PY -c "open('$Q', 'w').write('q')" 2>&1)
assert_contains "$out" "fix: mount a writable file at $Q (Kubernetes subPath, docker --mount type=bind) (file-mount, inferred"
assert_contains "$out" "mountPath: $Q, subPath: $(basename "$Q")"
assert_not_contains "$out" "mountPath: /var/lib "
assert_not_contains "$out" "mountPath: /var/lib,"

out=$(as_user "$RW" check --suggest --json -- $PY -c "open('$Q', 'w').write('q')" 2>&1)
python3 -c 'import json, sys
s = [json.loads(l) for l in sys.stdin if l.startswith("{")]
s = [x for x in s if x.get("ev") == "suggest"][0]
assert {"kind": "file-mount", "path": sys.argv[1], "source": "inferred"} in s["fixes"], s' "$Q" <<<"$out" ||
  fail "check --json suggestion: $out"

note "doctor --from: a subPath mount of the one file"
as_user "$RW" doctor --from q.json --format kubernetes >q.yaml || fail "doctor failed"
python3 - q.yaml "$Q" <<'PY' || fail "doctor patch: $(cat q.yaml)"
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))["spec"]["containers"][0]
m = [m for m in c["volumeMounts"] if m["mountPath"] == sys.argv[2]]
assert m and m[0]["subPath"] == sys.argv[2].rsplit("/", 1)[1], c
assert not any(x["mountPath"] in ("/var/lib", "/var") for x in c["volumeMounts"]), c
PY

note "an app under /var/tmp: its state file a file mount, its temp files rwshim run, no volume over /var/tmp"
as_user "$RW" trace --json -o app.json -- $PY "$APPDIR/app.py" >/dev/null 2>&1
as_user "$RW" trace -o app.report -- $PY "$APPDIR/app.py" >/dev/null 2>&1
python3 - app.json "$APPDIR" <<'PY' || fail "app fixes: $(grep '"denied":true' app.json | head -c 2000)"
import json, sys
d = sys.argv[2]
ev = [json.loads(l) for l in open(sys.argv[1])]
refused = [e for e in ev if e["denied"]]
state = [e for e in refused if e["path"] == d + "/state.json"][0]
assert state["fix_kind"] == "file-mount" and state["fix_path"] == d + "/state.json", state
for e in refused:
    assert not (e["fix_kind"] == "mount" and e["fix_path"] in ("/var/tmp", "/var", d)), e
PY
assert_contains "$(cat app.report)" "fix: mount a writable file at $APPDIR/state.json"
as_user "$RW" doctor --from app.json --format kubernetes >app.yaml || fail "doctor failed"
python3 - app.yaml "$APPDIR" <<'PY' || fail "doctor patch: $(cat app.yaml)"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
c = doc["spec"]["containers"][0]
dirs = [m["mountPath"] for m in c.get("volumeMounts", []) if "subPath" not in m]
assert not any(p in ("/var/tmp", "/var", sys.argv[2]) for p in dirs), dirs
PY

note "check --suggest: its mkstemp beside itself needs rwshim run, not a volume"
# The state file exists now (made by root), so the run reaches the temp file.
touch "$APPDIR/state.json" && chmod 0666 "$APPDIR/state.json"
out=$(as_user "$RW" check --suggest --writable "$APPDIR/state.json" -- $PY "$APPDIR/app.py" 2>&1)
assert_contains "$out" "(rwshim-run, inferred: new files with changing names in a non-empty directory"
assert_not_contains "$out" "mountPath: /var/tmp "
assert_not_contains "$out" "mountPath: $APPDIR "
echo ok
