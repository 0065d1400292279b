# Sourced by tests that run Pods with `podman kube play`: podman configured as this machine
# can run it (runc, cgroupfs, low ulimits), with storage of its own under
# /var/cache/rwshim-tests/podman-advice so other tests' images never collide with ours.
# Every podman call goes through pm, without the sanitizer's LD_PRELOAD.
PM_CONF_DIR=$(mktemp -d /tmp/rwshim-podman.XXXXXX)
cat >"$PM_CONF_DIR/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
cat >"$PM_CONF_DIR/storage.conf" <<'CONF'
[storage]
driver = "overlay"
graphroot = "/var/cache/rwshim-tests/podman-advice/root"
runroot = "/run/rwshim-podman-advice"
CONF
pm() { env -u LD_PRELOAD CONTAINERS_CONF="$PM_CONF_DIR/containers.conf" \
         CONTAINERS_STORAGE_CONF="$PM_CONF_DIR/storage.conf" podman "$@"; }

# pm_usable: 0 if podman can run a container here, else prints why and returns 1.
pm_usable() {
  local why
  command -v podman >/dev/null || { echo "podman not installed"; return 1; }
  command -v runc >/dev/null || { echo "runc not installed"; return 1; }
  # kube play builds its pause image from catatonit (a Recommends of podman, so not always there).
  command -v catatonit >/dev/null || { echo "catatonit not installed (podman kube play needs it)"; return 1; }
  # runc needs a cgroup hierarchy (a chroot has none): "no cgroup mount found in mountinfo".
  grep -q ' - cgroup2\? ' /proc/self/mountinfo || { echo "podman cannot run a container here: no cgroup mount"; return 1; }
  why=$(pm info 2>&1 >/dev/null) || { echo "podman cannot run here: $(tail -n 1 <<<"$why")"; return 1; }
}

# pm_image TAR TAG: imports the rootfs tarball as TAG unless it is there already.
pm_image() {
  pm image exists "$2" || pm import -q "$1" "$2" >/dev/null
}

# pm_pod YAML: plays the Pod (no network), waits for its container "app", prints its output and
# returns its exit status; the Pod is removed, its claims (named volumes) are kept.
pm_pod() {
  local yaml=$1 name st
  name=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["metadata"]["name"])' "$yaml")
  pm kube play --network none "$yaml" >/dev/null || return 125
  st=$(pm wait "$name-app" 2>/dev/null | tail -n 1)
  pm logs "$name-app" 2>&1
  pm kube down "$yaml" >/dev/null 2>&1
  return "${st:-125}"
}

# pod_from_patch PATCH IMAGE NAME OUT [--bare] CMD...: a full Pod from doctor's patch: the image
# and command added, nothing else changed (--bare: the fixes taken out, the read-only root kept).
pod_from_patch() {
  local patch=$1 image=$2 name=$3 out=$4; shift 4
  python3 - "$patch" "$image" "$name" "$out" "$@" <<'PY'
import sys, yaml
patch, image, name, out, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
bare = args[:1] == ["--bare"]
if bare:
    args = args[1:]
spec = yaml.safe_load(open(patch))["spec"]
c = spec["containers"][0]
c["image"] = image
c["command"] = args
if bare:
    for k in ("env", "volumeMounts"):
        c.pop(k, None)
    spec.pop("volumes", None)
spec["restartPolicy"] = "Never"
yaml.safe_dump({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec},
               open(out, "w"), sort_keys=False)
PY
}
