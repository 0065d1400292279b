#!/usr/bin/env bash
# The Dockerfile pattern of docs/deploy.md, built and run by podman: the `make dist` tree copied
# into a Debian minbase image (python3-jinja2, none of rwshim's build dependencies), run as an
# arbitrary uid with a read-only root, no capabilities and no-new-privileges. Seed incident 1
# (Jinja2 bytecode cache in the SDK's package dir, 4 forked workers) fails natively and works
# under the entrypoint, a second run reuses the cache; as PID 1 it passes podman stop's SIGTERM
# on; a static program writes into /etc; trace and check report the same application.
. "$(dirname "$0")/../lib.sh"
. "$RWSHIM_SRC/tests/container/lib.sh"
ct_need_engine
need_cmd python3
base=$(ct_image debian) || fail "cannot build the Debian image: $base"
ct_dist
img=$(ct_build_app "$base" "localhost/rwshim-test/app-dockerfile:$TEST_UID")
trap 'pod rmi -f "$img" >/dev/null 2>&1; cleanup_test' EXIT
ct_state "$T/state"
VOL=(-v "$T/state:/var/lib/app-state")

note "the image has none of rwshim's build dependencies"
out=$(ct_run "$img" --entrypoint '[]' -- sh -c 'ls /usr/lib/x86_64-linux-gnu | grep -c jansson; command -v cc gcc; ls /usr/include 2>/dev/null | wc -l')
assert_eq "$(tr '\n' ' ' <<<"$out")" "0 0 " "jansson, a compiler or headers in the image"

note "native: every worker fails to create its cache in the package dir"
out=$(ct_run "$img" --entrypoint '[]' -- python3 /app/main.py 2>&1); st=$?
[ "$st" -ne 0 ] || fail "native run should fail: $out"
assert_eq "$(grep -c 'Read-only file system' <<<"$out")" 4 "four workers fail natively"

note "the image's entrypoint: all 4 workers render, the cache lands in the upper"
out=$(ct_run "$img" "${VOL[@]}" -- 2>&1) || fail "rwshim run in the container failed: $out"
for n in 0 1 2 3; do assert_contains "$out" "Hello user from worker $n"; done
grep -q cache-miss <<<"$out" || fail "the first run should compile the template: $out"
ls "$T/state/fs/app/sdk/prompts/.jinja_cache"/__jinja2_*.cache >/dev/null 2>&1 ||
  fail "no bytecode cache in the upper: $(find "$T/state" | head)"
out=$(ct_run "$img" "${VOL[@]}" -- 2>&1) || fail "second run failed: $out"
assert_eq "$(grep -c cache-hit <<<"$out")" 4 "the second run reuses the cache in every worker"
out=$(ct_run "$img" "${VOL[@]}" --entrypoint '["rwshim", "diff", "--upper", "/var/lib/app-state"]' -- 2>&1)
assert_contains "$out" "A /app/sdk/prompts/.jinja_cache"

note "as PID 1 the entrypoint forwards podman stop's SIGTERM and returns the app's status"
id=$(pod run -d "${CT_OPTS[@]}" "${VOL[@]}" "$img" sh -c 'trap "echo got-term; exit 143" TERM; echo ready; sleep 1000 & wait') ||
  fail "cannot start the container: $id"
for _ in $(seq 100); do pod logs "$id" 2>/dev/null | grep -q ready && break; sleep 0.1; done
# The container's PID 1, read through the host's /proc: in a chroot, podman top and the
# container's own /proc both show the host's processes, not the container's.
ppid=$(pod inspect "$id" --format '{{.State.Pid}}')
assert_eq "$(cat "/proc/$ppid/comm" 2>&1)" "rwshim" "PID 1 of the container"
assert_eq "$(awk '/^NSpid:/ {print $NF}' "/proc/$ppid/status")" 1 "rwshim is PID 1 in the container's pid namespace"
pod stop -t 60 "$id" >/dev/null
code=$(pod inspect "$id" --format '{{.State.ExitCode}}'); logs=$(pod logs "$id" 2>&1); pod rm -f "$id" >/dev/null
assert_contains "$logs" "got-term"
assert_eq "$code" 143 "the container's status is the app's (not SIGKILL's 137)"

note "a static program (busybox-static) writing into /etc"
BB=(-v /bin/busybox:/usr/local/bin/busybox:ro)
out=$(ct_run "$img" "${BB[@]}" --entrypoint '[]' -- busybox sh -c 'echo static > /etc/app.conf' 2>&1) &&
  fail "native static write into /etc should fail"
assert_contains "$out" "Read-only file system"
out=$(ct_run "$img" "${VOL[@]}" "${BB[@]}" -- busybox sh -c 'echo static > /etc/app.conf; busybox cat /etc/app.conf' 2>&1) ||
  fail "static program under rwshim failed: $out"
assert_contains "$out" "static"
assert_eq "$(cat "$T/state/fs/etc/app.conf")" static "the static program's file in the upper"

note "trace names the refused writes and where the SDK makes them"
out=$(ct_run "$img" --entrypoint '["rwshim", "trace", "--"]' -- python3 /app/main.py 2>&1); st=$?
assert_eq "$st" 1 "trace returns the command's status"
assert_contains "$out" "REFUSED"
assert_contains "$out" "/app/sdk/prompts/ (EROFS; 4 ops"
assert_contains "$out" "at /app/sdk/__init__.py"

note "check: a write outside the writable set is reported, exit 3"
out=$(ct_run "$img" "${VOL[@]}" --entrypoint '["rwshim", "check", "--writable", "/var/lib/app-state", "--"]' \
      -- sh -c 'echo a > /var/lib/app-state/ok; echo b > /tmp/x || true' 2>&1); st=$?
assert_eq "$st" 3 "check status: $out"
assert_contains "$out" "1 write outside the writable set"
assert_contains "$out" "/tmp/"
echo ok
