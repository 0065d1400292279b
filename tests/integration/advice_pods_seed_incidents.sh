#!/usr/bin/env bash
# Both seed incidents in a real container engine: the Kubernetes patch doctor emits from a
# trace (after --prove), run by `podman kube play` with the app in a locally built Debian image,
# read-only root, as a uid with no passwd entry. With exactly the emitted fixes the app works;
# with the read-only root alone it fails; seed 2's store keeps its data across two Pods.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../advice.sh"
. "$(dirname "$0")/../podman_env.sh"
. "$(dirname "$0")/../images/bookworm_python.sh"
need_root
as_user_native $PY -c 'import jinja2, matplotlib, yaml' 2>/dev/null ||
  skip "python3-jinja2, python3-matplotlib and python3-yaml needed"
why=$(pm_usable) || skip "$why"

BASE=$(mktemp -d /opt/rwshim-advice-pods.XXXXXX)
chmod 0755 "$BASE"
ID=$(basename "$BASE" | tr 'A-Z.' 'a-z-')
APP_IMAGE=localhost/rwshim-advice-app:$ID
CLAIM=""
# claims PATCH: the claim names of a patch's volumes (podman keeps them as named volumes).
claims() {
  python3 -c 'import sys, yaml
for v in yaml.safe_load(open(sys.argv[1]))["spec"].get("volumes", []):
    if "persistentVolumeClaim" in v: print(v["persistentVolumeClaim"]["claimName"])' "$1" 2>/dev/null
}
finish() {
  local c
  for c in $CLAIM $(claims "$T/out/seed1.yaml") $(claims "$T/out/seed2.yaml"); do
    pm volume rm -f "$c" >/dev/null 2>&1
  done
  pm rmi -f "$APP_IMAGE" >/dev/null 2>&1
  rm -rf "$BASE" "$PM_CONF_DIR"; cleanup_test
}
trap finish EXIT

note "image: debootstrap minbase bookworm + python3-jinja2/matplotlib (cached by content)"
tar=$(image_bookworm_python) || fail "could not build the test image"
BASE_IMAGE=localhost/rwshim-advice-base:$(basename "$(dirname "$tar")")
pm_image "$tar" "$BASE_IMAGE" || fail "podman import failed"

# The apps live at the same absolute paths on this machine (where they are traced) and in the
# image (where the patch runs them), as they would in a real build.
seed1_app "$BASE/seed1"
seed2_app "$BASE/seed2/app"
root_tree "$BASE"
mkdir -p "$T/ctx/${BASE#/}" && cp -a "$BASE/." "$T/ctx/${BASE#/}/"
cat >"$T/ctx/Containerfile" <<EOF2
FROM $BASE_IMAGE
ENV PATH=/usr/local/bin:/usr/bin:/bin PYTHONPATH=$BASE/seed1/site-packages
COPY ${BASE#/} $BASE
EOF2
pm build -q -t "$APP_IMAGE" "$T/ctx" >/dev/null || fail "podman build failed"
user_dir "$T/out"
cd "$T/out"

# traced_patch NAME CMD...: trace as the user, doctor --from --prove, the Kubernetes patch.
traced_patch() {
  local name=$1; shift
  as_user "$RW" trace --json -o "$T/out/$name.json" -- "$@" >/dev/null 2>&1
  as_user "$RW" doctor --from "$T/out/$name.json" --prove --format kubernetes \
    >"$T/out/$name.yaml" 2>"$T/out/$name.proof" || fail "doctor --prove ($name): $(cat "$T/out/$name.proof")"
  assert_not_contains "$(cat "$T/out/$name.proof")" "not enough"
  k8s_fixes "$T/out/$name.yaml" >"$T/out/$name.fixes" || fail "$name patch invalid: $(cat "$T/out/$name.yaml")"
  note "$name fixes: $(tr '\n' ';' <<<"$(cat "$T/out/$name.fixes")")"
}

note "seed 1: the SDK's cache dir"
USER_ENV=(PYTHONPATH="$BASE/seed1/site-packages")
traced_patch seed1 $PY "$BASE/seed1/app/main.py"
grep -qx "mount $BASE/seed1/site-packages/sdk/prompts/.jinja_cache" "$T/out/seed1.fixes" || fail "no mount at .jinja_cache"
pod_from_patch seed1.yaml "$APP_IMAGE" "s1-$ID" pod1.yaml python3 "$BASE/seed1/app/main.py"
pod_from_patch seed1.yaml "$APP_IMAGE" "s1b-$ID" bare1.yaml --bare python3 "$BASE/seed1/app/main.py"
out=$(pm_pod bare1.yaml) && fail "seed 1 ran with a read-only root and no fix: the test proves nothing ($out)"
assert_contains "$out" "Read-only file system"
out=$(pm_pod pod1.yaml) || fail "seed 1 fails in the Pod with the emitted fix: $out"
assert_contains "$out" "Hello seed 1 from the prompt"

note "seed 2: matplotlib and the store, HOME=/ as for a uid with no passwd entry"
USER_ENV=()
export USER_HOME=/
traced_patch seed2 $PY "$BASE/seed2/app/main.py"
grep -qx "mount /.myapp" "$T/out/seed2.fixes" || fail "no mount at the store's dir"
grep -q "^env MPLCONFIGDIR=" "$T/out/seed2.fixes" || fail "no MPLCONFIGDIR"
CLAIM=$(claims seed2.yaml | grep -- -myapp) || fail "the store has no claim: $(cat seed2.yaml)"
pm volume rm -f "$CLAIM" >/dev/null 2>&1
pod_from_patch seed2.yaml "$APP_IMAGE" "s2-$ID" pod2.yaml python3 "$BASE/seed2/app/main.py"
pod_from_patch seed2.yaml "$APP_IMAGE" "s2b-$ID" bare2.yaml --bare python3 "$BASE/seed2/app/main.py"
out=$(pm_pod bare2.yaml) && fail "seed 2 ran with a read-only root and no fix: the test proves nothing ($out)"
assert_contains "$out" "No usable temporary directory"
out=$(pm_pod pod2.yaml) || fail "seed 2 fails in the Pod with the emitted fix: $out"
assert_contains "$out" "runs: 1"
assert_not_contains "$out" "Matplotlib created a temporary"
out=$(pm_pod pod2.yaml) || fail "seed 2, second Pod: $out"
assert_contains "$out" "runs: 2"
echo ok
