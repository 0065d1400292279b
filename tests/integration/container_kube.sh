#!/usr/bin/env bash
# The Kubernetes pattern of docs/deploy.md, run for real: `podman kube play` executes the
# documented Pod (arbitrary runAsUser, readOnlyRootFilesystem, capabilities dropped, the upper on
# an emptyDir) with the Dockerfile pattern's image, given a containers.conf for this machine
# (runc, cgroupfs, ulimits). The same Pod running the app without rwshim fails (incident 1);
# the documented one renders in all 4 workers.
. "$(dirname "$0")/../lib.sh"
. "$RWSHIM_SRC/tests/container/lib.sh"
ct_need_engine
base=$(ct_image debian) || fail "cannot build the Debian image: $base"
ct_dist
img=$(ct_build_app "$base" "localhost/rwshim-test/app-kube:$TEST_UID")
pod_name=rwshim-test-kube-$TEST_UID
cat > "$T/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
export CONTAINERS_CONF=$T/containers.conf
kube_down() { podman kube down "$1" >/dev/null 2>&1; podman pod rm -f "$pod_name" >/dev/null 2>&1; }
trap 'kube_down "$T/pod.yaml"; pod rmi -f "$img" >/dev/null 2>&1; cleanup_test' EXIT

# The documented manifest, with this test's image, uid and pod name.
ct_doc_block yaml > "$T/doc.yaml"
grep -q 'readOnlyRootFilesystem: true' "$T/doc.yaml" || fail "no Pod manifest in docs/deploy.md"
sed -e "s|image: .*|image: $img|" -e "s/runAs\(User\|Group\): .*/runAs\1: $TEST_UID/" \
    -e "0,/name: .*/s|name: .*|name: $pod_name|" "$T/doc.yaml" > "$T/pod.yaml"

# play FILE: runs the Pod to completion; prints the container's logs, returns its exit code.
play() {
  local out ctr=$pod_name-app code
  kube_down "$1"
  out=$(podman kube play --network none "$1" 2>&1) || fail "kube play failed: $out"
  code=$(podman wait "$ctr") || fail "no container $ctr: $out"
  podman logs "$ctr" 2>&1
  podman inspect "$ctr" --format '# user={{.Config.User}} ro={{.HostConfig.ReadonlyRootfs}} caps={{.EffectiveCaps}} {{.HostConfig.SecurityOpt}}'
  kube_down "$1"
  return "$code"
}

note "native: the same Pod without rwshim fails in every worker"
sed -e '/command: \["\/opt\/rwshim/d' "$T/pod.yaml" > "$T/native.yaml"
sed -i 's|args: \["python3"|command: ["python3"|' "$T/native.yaml"
out=$(play "$T/native.yaml"); st=$?
[ "$st" -ne 0 ] || fail "the app should fail natively: $out"
assert_eq "$(grep -c 'Read-only file system' <<<"$out")" 4 "four workers fail natively: $out"

note "the documented Pod: all 4 workers render, as the uid, read-only, no capabilities"
out=$(play "$T/pod.yaml"); st=$?
assert_eq "$st" 0 "the documented Pod's status: $out"
for n in 0 1 2 3; do assert_contains "$out" "Hello user from worker $n"; done
assert_contains "$out" "user=$TEST_UID:$TEST_UID ro=true caps=[] [no-new-privileges]"
echo ok
