# Sourced (after lib.sh) by the advice tests: the two seed incidents' apps, a YAML check of a
# doctor patch, and applying a patch's fixes natively (env + a tmpfs per mount) to show what
# a container runtime would do with them.

# seed1_app BASE: an SDK in BASE/site-packages/sdk whose import creates prompts/.jinja_cache
# inside its own (root-owned) package dir, next to the templates it reads; BASE/app/main.py
# renders one. A volume over prompts/ would hide the templates.
seed1_app() {
  mkdir -p "$1/site-packages/sdk/prompts" "$1/app"
  cat >"$1/site-packages/sdk/__init__.py" <<'PY'
import os
import jinja2

_PROMPTS = os.path.join(os.path.dirname(__file__), "prompts")
_CACHE = os.path.join(_PROMPTS, ".jinja_cache")
os.makedirs(_CACHE, exist_ok=True)
_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(_PROMPTS),
                          bytecode_cache=jinja2.FileSystemBytecodeCache(_CACHE))

def render(name, **kw):
    return _ENV.get_template(name).render(**kw)
PY
  echo 'Hello {{ who }} from the prompt' >"$1/site-packages/sdk/prompts/greet.j2"
  cat >"$1/app/main.py" <<'PY'
import sdk
print(sdk.render("greet.j2", who="seed 1"))
PY
}

# seed2_app DIR: incident 2 (matplotlib, and a JSON store under HOME through the app's own
# module), counting its runs in the store so persistence shows: prints "runs: N".
seed2_app() {
  mkdir -p "$1"
  cat >"$1/store.py" <<'PY'
import json, os

PATH = os.path.join(os.path.expanduser("~"), ".myapp", "store.json")

def bump():
    data = {"runs": 0}
    if os.path.exists(PATH):
        with open(PATH) as f:
            data = json.load(f)
    data["runs"] += 1
    os.makedirs(os.path.dirname(PATH), exist_ok=True)
    with open(PATH, "w") as f:
        json.dump(data, f)
    return data["runs"]
PY
  cat >"$1/main.py" <<'PY'
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import store
plt.plot([1, 2])
print("runs: %d" % store.bump())
PY
}

# k8s_fixes YAML: prints the patch's fixes, one per line: "env NAME=VALUE" and "mount PATH"
# (a file mount: "file PATH"), after checking it is a valid patch with a read-only root.
k8s_fixes() {
  python3 - "$1" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
c = doc["spec"]["containers"][0]
assert c["securityContext"]["readOnlyRootFilesystem"] is True, c
mounts = c.get("volumeMounts", [])
vols = {v["name"] for v in doc["spec"].get("volumes", [])}
assert vols == {m["name"] for m in mounts}, (vols, mounts)
for e in c.get("env", []):
    print("env %s=%s" % (e["name"], e["value"]))
for m in mounts:
    print("%s %s" % ("file" if "subPath" in m else "mount", m["mountPath"]))
PY
}

# run_with_fixes FIXES CMD...: CMD as the test user, natively (no rwshim), with the env vars of
# FIXES (k8s_fixes output) and a fresh tmpfs owned by the user at each mount, in a private mount
# namespace where everything else of BASE is read-only.
run_with_fixes() {
  local fixes=$1; shift
  local envs=() mounts=() created=() kind rest d st
  while read -r kind rest; do
    case $kind in env) envs+=("$rest") ;; mount) mounts+=("$rest") ;; esac
  done <<<"$fixes"
  # A runtime creates missing mount points; so does this, and removes them afterwards.
  for d in "${mounts[@]}"; do
    while IFS= read -r d; do created=("$d" "${created[@]}"); done \
      < <(mkdir -pv "$d" | sed "s/^mkdir: created directory '//; s/'\$//")
  done
  unshare -m -- bash -c '
    uid=$1; shift
    while [ "$1" != -- ]; do mount -t tmpfs -o "mode=0755,uid=$uid,gid=$uid" tmpfs "$1" || exit 90; shift; done
    shift; exec "$@"' _ "$TEST_UID" "${mounts[@]}" -- \
    env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="${USER_HOME:-/}" LANG=C.UTF-8 "${USER_ENV[@]}" "${envs[@]}" \
    setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups -- "$@"
  st=$?
  for d in "${created[@]}"; do rmdir "$d" 2>/dev/null; done
  return $st
}
