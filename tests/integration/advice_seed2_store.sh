#!/usr/bin/env bash
# Seed incident 2, end to end: matplotlib and the app's JSON store under a root-owned HOME that
# holds files. trace gives matplotlib its knob (MPLCONFIGDIR, from the knowledge base) and the
# store a mount at its own dir (inferred), never at HOME, HOME's parent or /; doctor --from
# --prove proves both; the Kubernetes patch parses, with a read-only root, the knob, a claim
# for the store (its data must outlive the Pod), and, applied natively, lets the app run.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../advice.sh"
need_root
need_cmd unshare setpriv mount
as_user_native $PY -c 'import matplotlib, yaml' 2>/dev/null || skip "python3-matplotlib and python3-yaml needed"

BASE=$(mktemp -d /opt/rwshim-advice2.XXXXXX)
chmod 0755 "$BASE"
trap 'rm -rf "$BASE"; cleanup_test' EXIT
seed2_app "$BASE/app"
mkdir -p "$BASE/home" && echo 'export X=1' >"$BASE/home/.profile"
root_tree "$BASE"
export USER_HOME=$BASE/home
user_dir "$T/out"

note "native: matplotlib falls back to a temp dir, the store dies"
out=$(as_user_native $PY "$BASE/app/main.py" 2>&1) && fail "seed 2 passed natively: the test proves nothing"
assert_contains "$out" "Matplotlib created a temporary"
assert_contains "$out" "PermissionError"

note "trace --json: MPLCONFIGDIR (kb) for matplotlib, a mount at the store's own dir (inferred)"
as_user "$RW" trace --json -o "$T/out/trace.json" -- $PY "$BASE/app/main.py" >/dev/null 2>&1
python3 - "$T/out/trace.json" "$BASE" <<'PY' || fail "trace fixes wrong: $(grep '"denied":true' "$T/out/trace.json" | head -c 3000)"
import json, sys
base = sys.argv[2]
ev = [json.loads(l) for l in open(sys.argv[1])]
refused = [e for e in ev if e["denied"]]
mpl = [e for e in refused if e["culprit"] == "matplotlib"]
assert mpl, refused
assert all(e["fix_kind"] == "knob" and e["fix_env"] == "MPLCONFIGDIR" and e["fix_source"] == "kb" for e in mpl), mpl
store = [e for e in refused if e["path"] == base + "/home/.myapp"]
assert store, refused
f = store[0]
assert f["fix_kind"] == "mount" and f["fix_path"] == base + "/home/.myapp" and f["fix_source"] == "inferred", f
for e in refused:
    assert e["fix_path"] not in ("/", base, base + "/home"), e
PY

note "doctor --from --prove: both proven, the store wrote only in its mount"
out=$(cd "$T/out" && as_user "$RW" doctor --from "$T/out/trace.json" --prove --format kubernetes 2>"$T/out/proof")
st=$?; proof=$(cat "$T/out/proof")
assert_eq "$st" 0 "doctor --prove ($proof)"
assert_contains "$proof" "proven: set MPLCONFIGDIR="
assert_contains "$proof" "proven: mount a writable dir at $BASE/home/.myapp: the command passed and wrote only there (1 write)"
assert_not_contains "$proof" "not enough"
printf '%s\n' "$out" >"$T/out/patch.yaml"
fixes=$(k8s_fixes "$T/out/patch.yaml") || fail "patch not valid: $out"
note "fixes: $(tr '\n' ';' <<<"$fixes")"
assert_contains "$fixes" "env MPLCONFIGDIR="
grep -qx "mount $BASE/home/.myapp" <<<"$fixes" || fail "no mount at the store's dir: $fixes"
grep -Eqx "mount ($BASE/home|$BASE|/)" <<<"$fixes" && fail "a mount over HOME, its parent or /: $fixes"
python3 - "$T/out/patch.yaml" "$BASE/home/.myapp" <<'PY' || fail "the store's volume does not persist: $out"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
name = [m["name"] for m in doc["spec"]["containers"][0]["volumeMounts"] if m["mountPath"] == sys.argv[2]][0]
vol = [v for v in doc["spec"]["volumes"] if v["name"] == name][0]
assert "persistentVolumeClaim" in vol, vol
PY

note "the emitted fixes, applied natively: the app runs, matplotlib uses its dir"
out=$(run_with_fixes "$fixes" $PY "$BASE/app/main.py" 2>&1) || fail "seed 2 fails with the emitted fix: $out"
assert_contains "$out" "runs: 1"
assert_not_contains "$out" "Matplotlib created a temporary"
echo ok
