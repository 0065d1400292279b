#!/usr/bin/env bash
# The two incident apps, end to end without rwshim at run time: each fails natively as the
# unprivileged user; 'rwshim trace --json' records it; 'rwshim doctor --from' emits a
# Kubernetes patch that a real YAML parser reads; applying that patch by hand (its env vars,
# and a writable tmpfs at each of its mountPaths) makes the app pass natively.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd python3 unshare setpriv mount
as_user_native python3 -c 'import matplotlib, jinja2, yaml' 2>/dev/null ||
  skip "python3-matplotlib, python3-jinja2 and python3-yaml needed"

BASE=$(mktemp -d /opt/rwshim-doctor.XXXXXX)
chmod 0755 "$BASE"
trap 'rm -rf "$BASE"; cleanup_test' EXIT
APP=$BASE/app
HOMEDIR=$BASE/home
mkdir -p "$APP/webapp/templates" "$APP/webapp/cache" "$HOMEDIR"
cat >"$APP/webapp/__init__.py" <<'PY'
import os
import jinja2
here = os.path.dirname(__file__)
# Incident 1: the bytecode cache lives in the package dir, root-owned in the image.
env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(here, "templates")),
                         bytecode_cache=jinja2.FileSystemBytecodeCache(os.path.join(here, "cache")))
PY
echo 'Hello {{ name }}' >"$APP/webapp/templates/index.html"
cat >"$APP/render.py" <<'PY'
import webapp
print(webapp.env.get_template("index.html").render(name="doctor"))
PY
cat >"$APP/plot_store.py" <<'PY'
# Incident 2: matplotlib plus a JSON store under HOME, which the user cannot write.
import json, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
plt.plot([1, 2, 3]); plt.savefig(sys.argv[1])
store = os.path.expanduser("~/.notes")
os.makedirs(store, exist_ok=True)
with open(os.path.join(store, "store.json"), "w") as f:
    json.dump({"ok": True}, f)
print("stored")
PY
# The apps live outside /tmp: a fix mounts a volume at /tmp, which would fold every dir under
# it into that one volume (and hide the test tree when applied here).
root_tree "$APP"; root_tree "$HOMEDIR"
user_dir "$T/out"
cd "$T/out"
KEEP=${KEEP:-}

# load_k8s YAML: reads the env vars and mountPaths of the patch into FIX_ENV and FIX_MOUNTS and
# creates missing mount points (a container runtime does that), remembered for removal.
# /tmp is left out: the host's /tmp is already a writable temp dir; so are file mounts.
created=()
cleanup_created() { local d; for d in "${created[@]}"; do rmdir "$d" 2>/dev/null; done; }
trap 'cleanup_created; [ -n "$KEEP" ] && cp -r "$T/out" "$KEEP"; rm -rf "$BASE"; cleanup_test' EXIT
load_k8s() {
  local d m
  mapfile -t FIX_ENV < <(python3 -c 'import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))["spec"]["containers"][0]
for e in c.get("env", []): print("%s=%s" % (e["name"], e["value"]))' "$1")
  mapfile -t FIX_MOUNTS < <(python3 -c 'import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))["spec"]["containers"][0]
for m in c.get("volumeMounts", []):
    # A file mount (subPath) is the one output file the app writes into a dir that holds
    # files (out/): here that dir is the user'"'"'s and writable already.
    if m["mountPath"] != "/tmp" and "subPath" not in m: print(m["mountPath"])' "$1")
  for m in "${FIX_MOUNTS[@]}"; do
    while IFS= read -r d; do created=("$d" "${created[@]}"); done \
      < <(mkdir -pv "$m" | sed "s/^mkdir: created directory '//; s/'\$//")
  done
}

# run_fixed CMD...: CMD natively as the user, with FIX_ENV and a fresh tmpfs owned by the user
# at each of FIX_MOUNTS, in a private mount namespace.
run_fixed() {
  unshare -m -- bash -c '
    uid=$1; shift
    while [ "$1" != -- ]; do mount -t tmpfs -o "mode=0755,uid=$uid,gid=$uid" tmpfs "$1" || exit 90; shift; done
    shift; exec "$@"' _ "$TEST_UID" "${FIX_MOUNTS[@]}" -- \
    env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$HOMEDIR" LANG=C.UTF-8 "${FIX_ENV[@]}" \
    setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups -- "$@"
}

# trace_app NAME FALLBACK CMD...: NDJSON of CMD from rwshim trace; if trace produced no denied
# write (trace broken), the hand-written FALLBACK lines stand in, so doctor is still tested.
trace_app() {
  local name=$1 fallback=$2; shift 2
  as_user "$RW" trace --json -o "$T/out/$name.json" -- "$@" >/dev/null 2>&1
  if ! grep -q '"action":"denied"' "$T/out/$name.json" 2>/dev/null; then
    note "rwshim trace recorded no denied write for $name; using hand-written NDJSON"
    printf '%s\n' "$fallback" >"$T/out/$name.json"
  fi
}

# ---- incident 1: Jinja2 bytecode cache in a root-owned package dir ----
out=$(as_user_native python3 "$APP/render.py" 2>&1) && fail "jinja2 app passed natively: the test proves nothing"
assert_contains "$out" "PermissionError"
trace_app jinja "{\"ev\":\"fs\",\"pid\":2,\"op\":\"open\",\"path\":\"$APP/webapp/cache/__jinja2_x.cache1234.tmp\",\"flags\":\"O_RDWR|O_CREAT|O_EXCL\",\"errno\":\"EACCES\",\"action\":\"denied\",\"caller\":null}
{\"ev\":\"fs\",\"pid\":2,\"op\":\"mkdir\",\"path\":\"$APP/webapp/__pycache__\",\"flags\":null,\"errno\":\"EACCES\",\"action\":\"denied\",\"caller\":null}" \
  python3 "$APP/render.py"
"$RW" doctor --from "$T/out/jinja.json" --user "$TEST_UID" --format kubernetes >"$T/out/jinja.yaml" ||
  fail "doctor --from failed"
python3 - "$T/out/jinja.yaml" "$APP/webapp/cache" <<'PY' || fail "jinja2 patch: $(cat "$T/out/jinja.yaml")"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
c = doc["spec"]["containers"][0]
assert c["securityContext"]["readOnlyRootFilesystem"] is True
mounts = [m["mountPath"] for m in c["volumeMounts"]]
assert sys.argv[2] in mounts, mounts
env = {e["name"]: e["value"] for e in c.get("env", [])}
assert "PYTHONPYCACHEPREFIX" in env, env
names = {v["name"] for v in doc["spec"]["volumes"]}
assert names == {m["name"] for m in c["volumeMounts"]}, names
PY
load_k8s "$T/out/jinja.yaml"
out=$(run_fixed python3 "$APP/render.py" 2>&1) || fail "jinja2 app still fails with the fix applied: $out"
assert_contains "$out" "Hello doctor"

# ---- incident 2: matplotlib and a JSON store under an unwritable HOME ----
out=$(USER_HOME=$HOMEDIR as_user_native python3 "$APP/plot_store.py" "$T/out/native.png" 2>&1) &&
  fail "matplotlib app passed natively: the test proves nothing"
assert_contains "$out" "Matplotlib created a temporary"
assert_contains "$out" "PermissionError"
trace_app mpl "{\"ev\":\"fs\",\"pid\":3,\"op\":\"mkdir\",\"path\":\"$HOMEDIR/.config\",\"flags\":null,\"errno\":\"EACCES\",\"action\":\"denied\",\"caller\":null}
{\"ev\":\"fs\",\"pid\":3,\"op\":\"open\",\"path\":\"/tmp/matplotlib-a1b2c3/fontlist-v330.json\",\"flags\":\"O_WRONLY|O_CREAT|O_TRUNC\",\"errno\":null,\"action\":\"ok\",\"caller\":null}
{\"ev\":\"fs\",\"pid\":3,\"op\":\"mkdir\",\"path\":\"$HOMEDIR/.notes\",\"flags\":null,\"errno\":\"EACCES\",\"action\":\"denied\",\"caller\":null}" \
  env HOME="$HOMEDIR" python3 "$APP/plot_store.py" "$T/out/traced.png"
"$RW" doctor --from "$T/out/mpl.json" --user "$TEST_UID" --format kubernetes >"$T/out/mpl.yaml" ||
  fail "doctor --from failed"
python3 - "$T/out/mpl.yaml" "$HOMEDIR/.notes" <<'PY' || fail "matplotlib patch: $(cat "$T/out/mpl.yaml")"
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))["spec"]["containers"][0]
mounts = [m["mountPath"] for m in c["volumeMounts"]]
assert sys.argv[2] in mounts, mounts
env = {e["name"]: e["value"] for e in c.get("env", [])}
assert "MPLCONFIGDIR" in env, env
assert any(env["MPLCONFIGDIR"].startswith(m + "/") or env["MPLCONFIGDIR"] == m for m in mounts), (env, mounts)
PY
load_k8s "$T/out/mpl.yaml"
out=$(run_fixed python3 "$APP/plot_store.py" "$T/out/fixed.png" 2>&1) ||
  fail "matplotlib app still fails with the fix applied: $out"
assert_contains "$out" "stored"
assert_not_contains "$out" "Matplotlib created a temporary"
[ -s "$T/out/fixed.png" ] || fail "no plot written"
