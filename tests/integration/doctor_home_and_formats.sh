#!/usr/bin/env bash
# rwshim doctor as a uid with no passwd entry and HOME=/: the native failure first (git cannot
# write its global config), then doctor must report HOME=/ first with the fix, and every output
# format must carry that fix (JSON and YAML read by real parsers). Bad input exits 125.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd git python3
python3 -c 'import yaml' 2>/dev/null || as_user_native python3 -c 'import yaml' || skip "python3-yaml needed"
PY=$(command -v /usr/bin/python3 || command -v python3)
export TEST_UID
cd /   # doctor also audits the cwd: keep it out of the scratch dir under /tmp

out=$(USER_HOME=/ as_user_native git config --global user.name x 2>&1) && fail "git wrote /.gitconfig natively: nothing to diagnose"
assert_contains "$out" "/.gitconfig"

USER_HOME=/ as_user "$RW" doctor >"$T/text" 2>&1 || fail "doctor failed: $(cat "$T/text")"
first=$(grep -m1 -E '^  (error|warning|info) ' "$T/text")
assert_contains "$first" "HOME=/ is the root directory"
assert_contains "$first" "no passwd entry"
assert_contains "$(cat "$T/text")" "fix: set HOME=/home/app"

USER_HOME=/ as_user "$RW" doctor --format json >"$T/json" || fail "doctor --format json failed"
"$PY" - "$T/json" <<'PY' || fail "json: $(head -c 1500 "$T/json")"
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["problems"][0]["severity"] == "error" and d["problems"][0]["path"] == "/", d["problems"][0]
assert d["fix"]["env"]["HOME"] == "/home/app", d["fix"]
assert d["fix"]["uid"] == int(os.environ["TEST_UID"])
paths = {w["path"]: w["ram"] for w in d["fix"]["writable"]}
assert paths.get("/home/app") is False and paths.get("/tmp") is True, paths
PY

USER_HOME=/ as_user "$RW" doctor --format kubernetes >"$T/k8s.yaml" || fail "kubernetes failed"
USER_HOME=/ as_user "$RW" doctor --format compose >"$T/compose.yaml" || fail "compose failed"
"$PY" - "$T/k8s.yaml" "$T/compose.yaml" <<'PY' || fail "yaml: $(cat "$T/k8s.yaml" "$T/compose.yaml")"
import os, sys, yaml
k = yaml.safe_load(open(sys.argv[1]))["spec"]
c = k["containers"][0]
assert k["securityContext"]["runAsUser"] == int(os.environ["TEST_UID"])
assert c["securityContext"]["readOnlyRootFilesystem"] is True
env = {e["name"]: e["value"] for e in c["env"]}
assert env["HOME"] == "/home/app", env
vols = {v["name"]: v for v in k["volumes"]}
mounts = {m["mountPath"]: vols[m["name"]] for m in c["volumeMounts"]}
assert mounts["/tmp"]["emptyDir"] == {"medium": "Memory"}, mounts
assert mounts["/home/app"]["emptyDir"] == {}, mounts
s = yaml.safe_load(open(sys.argv[2]))["services"]["app"]
assert s["read_only"] is True and s["user"] == "%s:%s" % (os.environ["TEST_UID"], os.environ["TEST_UID"]), s
assert s["environment"]["HOME"] == "/home/app", s
assert "/tmp:mode=1777" in s["tmpfs"], s
assert any(v.endswith(":/home/app") for v in s["volumes"]), s
PY

USER_HOME=/ as_user "$RW" doctor --format dockerfile >"$T/Dockerfile" || fail "dockerfile failed"
assert_contains "$(cat "$T/Dockerfile")" 'ENV HOME="/home/app"'
assert_contains "$(cat "$T/Dockerfile")" "chown $TEST_UID:$TEST_UID '/home/app'"
[ "$(tail -n 1 "$T/Dockerfile")" = "USER $TEST_UID:$TEST_UID" ] || fail "USER must come last"

# With a writable HOME the HOME problem is gone.
user_dir "$T/h"
USER_HOME=$T/h as_user "$RW" doctor >"$T/text2" 2>&1 || fail "doctor failed"
assert_not_contains "$(cat "$T/text2")" "HOME=$T/h"

# Bad input: one line on stderr, exit 125.
err=$("$RW" doctor --format yaml 2>&1); st=$?
[ $st = 125 ] || fail "bad --format: status $st"
err=$("$RW" doctor --from "$T/missing.json" 2>&1); st=$?
[ $st = 125 ] || fail "missing trace: status $st"
assert_eq "$err" "rwshim: open trace: $T/missing.json: No such file or directory"
echo 'not json' >"$T/bad.json"
"$RW" doctor --from "$T/bad.json" >/dev/null 2>&1; st=$?
[ $st = 125 ] || fail "bad trace: status $st"
