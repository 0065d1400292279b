#!/usr/bin/env bash
# The image the Pod tests run their apps in: Debian bookworm minbase with python3-jinja2 and
# python3-matplotlib, built by debootstrap (once: cached by its recipe under
# /var/cache/rwshim-tests) and imported into podman. It runs under `podman kube play` as a uid
# with no passwd entry on a read-only root: Python and both libraries load there. (Separate
# from the seed-incident Pods so that building it has a run of its own.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../podman_env.sh"
. "$(dirname "$0")/../images/bookworm_python.sh"
need_root
as_user_native $PY -c 'import yaml' 2>/dev/null || skip "python3-yaml needed"
why=$(pm_usable) || skip "$why"
trap 'rm -rf "$PM_CONF_DIR"; cleanup_test' EXIT

tar=$(image_bookworm_python) || fail "could not build the test image"
BASE_IMAGE=localhost/rwshim-advice-base:$(basename "$(dirname "$tar")")
pm_image "$tar" "$BASE_IMAGE" || fail "podman import of $tar failed"
name=img-$(basename "$T" | tr 'A-Z.' 'a-z-')
cat >"$T/pod.yaml" <<EOF2
apiVersion: v1
kind: Pod
metadata: { name: $name }
spec:
  restartPolicy: Never
  securityContext: { runAsUser: $TEST_UID, runAsGroup: $TEST_UID }
  containers:
    - name: app
      image: $BASE_IMAGE
      command: [python3, -c, "import os, jinja2, matplotlib; print('uid', os.getuid(), 'ok')"]
      env: [{ name: PATH, value: /usr/local/bin:/usr/bin:/bin }, { name: MPLCONFIGDIR, value: /dev/shm }]
      securityContext: { readOnlyRootFilesystem: true }
EOF2
out=$(pm_pod "$T/pod.yaml") || fail "the image does not run python3 with jinja2 and matplotlib: $out"
assert_contains "$out" "uid $TEST_UID ok"
echo ok
