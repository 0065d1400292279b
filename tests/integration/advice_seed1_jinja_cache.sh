#!/usr/bin/env bash
# Seed incident 1, end to end: an SDK creates prompts/.jinja_cache inside its root-owned package
# dir, next to its templates. trace names the fix at .jinja_cache (a mount, inferred), never at
# prompts/ (which would hide the templates: shown); doctor --from --prove proves it; the
# Kubernetes patch parses, has a read-only root and, applied natively, lets the app run.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../advice.sh"
need_root
need_cmd unshare setpriv mount
as_user_native $PY -c 'import jinja2, yaml' 2>/dev/null || skip "python3-jinja2 and python3-yaml needed"

BASE=$(mktemp -d /opt/rwshim-advice1.XXXXXX)
chmod 0755 "$BASE"
trap 'rm -rf "$BASE"; cleanup_test' EXIT
seed1_app "$BASE"
root_tree "$BASE"
SDK=$BASE/site-packages/sdk
USER_ENV=(PYTHONPATH="$BASE/site-packages")
user_dir "$T/out"

note "native: the SDK's import dies on its cache dir"
out=$(as_user_native $PY "$BASE/app/main.py" 2>&1) && fail "seed 1 passed natively: the test proves nothing"
assert_contains "$out" "PermissionError"
assert_contains "$out" "$SDK/prompts/.jinja_cache"

note "trace --json: the refused mkdir carries a mount fix at .jinja_cache, inferred"
as_user "$RW" trace --json -o "$T/out/trace.json" -- $PY "$BASE/app/main.py" >/dev/null 2>&1
python3 - "$T/out/trace.json" "$SDK" <<'PY' || fail "trace fix wrong: $(grep -F .jinja_cache "$T/out/trace.json" | head -c 2000)"
import json, sys
sdk = sys.argv[2]
ev = [json.loads(l) for l in open(sys.argv[1])]
refused = [e for e in ev if e["denied"]]
assert refused, "nothing refused"
for e in refused:
    assert e.get("fix_kind") in ("knob", "mount", "file-mount", "rwshim-run"), e
    assert e.get("fix_source") in ("kb", "inferred"), e
    assert e.get("fix"), e
    assert e.get("fix_path") != sdk + "/prompts", e        # the templates' dir: never
cache = [e for e in refused if e["path"] == sdk + "/prompts/.jinja_cache"]
assert cache and cache[0]["op"] == "mkdir", refused
f = cache[0]
assert f["fix_kind"] == "mount" and f["fix_path"] == sdk + "/prompts/.jinja_cache" and f["fix_source"] == "inferred", f
PY

note "trace report: the same fix in words"
as_user "$RW" trace -o "$T/out/report" -- $PY "$BASE/app/main.py" >/dev/null 2>&1
out=$(cat "$T/out/report")
assert_contains "$out" "fix: mount a writable dir at $SDK/prompts/.jinja_cache (mount, inferred: the directory it creates)"
assert_not_contains "$out" "mount a writable dir at $SDK/prompts "

note "doctor --from --prove: proven"
out=$(cd "$T/out" && as_user "$RW" doctor --from "$T/out/trace.json" --prove --format kubernetes 2>"$T/out/proof")
st=$?; proof=$(cat "$T/out/proof")
assert_eq "$st" 0 "doctor --prove ($proof)"
assert_contains "$proof" "proven: mount a writable dir at $SDK/prompts/.jinja_cache: the command passed and wrote only there"
assert_not_contains "$proof" "not enough"
printf '%s\n' "$out" >"$T/out/patch.yaml"
fixes=$(k8s_fixes "$T/out/patch.yaml") || fail "patch not valid: $out"
note "fixes: $(tr '\n' ';' <<<"$fixes")"
assert_contains "$fixes" "mount $SDK/prompts/.jinja_cache"
grep -qx "mount $SDK/prompts" <<<"$fixes" && fail "a mount over the templates"
assert_contains "$out" "# --prove: re-ran"

note "the advice a volume over prompts/ would have been: it hides the templates"
out=$(run_with_fixes "mount $SDK/prompts" $PY "$BASE/app/main.py" 2>&1) && fail "a mount over prompts/ should break the app: $out"
assert_contains "$out" "TemplateNotFound"

note "the emitted fixes, applied natively (env + a tmpfs at each mount): the app runs"
out=$(run_with_fixes "$fixes" $PY "$BASE/app/main.py" 2>&1) || fail "seed 1 fails with the emitted fix: $out"
assert_contains "$out" "Hello seed 1 from the prompt"
echo ok
