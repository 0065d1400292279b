# Differential harness: CPython's own file-system tests (Debian's libpython3.11-testsuite) as the
# oracle. Each module runs as the test user twice: natively, with a writable work dir, HOME and
# TMPDIR; then under `rwshim run --upper` (a fresh upper beside the work dir) with the work dir,
# HOME and TMPDIR root-owned and /tmp, /var/tmp read-only (bind mounts in a mount namespace), so
# every file the tests create lives in the upper. A test case that passes natively and fails under rwshim is a regression; each is
# re-run alone once on both sides, and only one that passes natively and fails again under
# rwshim fails this test (a case that fails alone natively too is a flake, reported as such).
# Nothing is a hand-kept list of expected failures.
# Sourced by tests/integration/run_cpython_differential_*.sh, each with its share of the modules
# in $modules (so that each stays far below the runner's 300 s limit on a loaded machine);
# CPYTHON_MODULES overrides the list.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd unshare setpriv timeout
PYTEST_DIR=/usr/lib/python3.11/test
[ -f "$PYTEST_DIR/test_os.py" ] || skip "libpython3.11-testsuite not installed"
# Under ASan+UBSan too: measured 43-149 s per test with the machine shared (plain: 33-94 s).
modules=${CPYTHON_MODULES:-$modules}
present=() absent=()
for m in $modules; do
  if [ -e "$PYTEST_DIR/$m.py" ] || [ -d "$PYTEST_DIR/$m" ]; then present+=("$m"); else absent+=("$m"); fi
done
[ ${#absent[@]} -gt 0 ] && note "not packaged by Debian, not run: ${absent[*]}"
here=$RWSHIM_SRC/tests/integration

# /tmp becomes read-only: rwshim, the runner and the native dirs live outside it.
B=$(mktemp -d /run/rwshim-cpython.XXXXXX); chmod 755 "$B"
trap 'rm -rf "$B"; cleanup_test' EXIT
cp -r "$T/bin" "$T/lib" "$B/"; cp "$here/cpython/unittest_ids.py" "$here/cpython/compare.py" "$B/"
mkdir -p "$B/native" "$B/shim/work" "$B/shim/tmp" "$B/res" "$B/uppers"
chmod -R a+rX "$B"; chown "$TEST_UID:$TEST_UID" "$B/uppers"; chown 0:0 "$B/shim/work" "$B/shim/tmp"; chmod 755 "$B/shim/work" "$B/shim/tmp"

cat > "$B/shim.sh" <<EOF
mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp || exit 90
mount --bind /var/tmp /var/tmp && mount -o remount,bind,ro /var/tmp || exit 90
exec "\$@"
EOF

in_ro_shim() { unshare -m -- bash "$B/shim.sh" "$@"; }

# user_argv HOME TMPDIR PRELOAD: sets argv to run a command as the test user with that environment.
user_argv() {
  argv=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$1" TMPDIR="$2" LANG=C.UTF-8)
  [ "$3" = preload ] && argv+=(${LD_PRELOAD:+LD_PRELOAD=$LD_PRELOAD} ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS}
                                ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS})
  argv+=(setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups --)
}

# The native failure first: the work dir, HOME and TMPDIR of the rwshim run are unusable natively.
user_argv "$B/shim/work" "$B/shim/tmp" native
out=$(cd "$B/shim/work" && in_ro_shim "${argv[@]}" $PY -c 'import tempfile; tempfile.mkstemp()' 2>&1) &&
  fail "tempfile worked natively in the rwshim run's dirs: the comparison proves nothing"
assert_contains "$out" "No usable temporary directory"

# native_run ID... / shim_run ID...: one run of unittest_ids.py (modules or test ids) from its
# work dir, results on stdout.
native_run() {
  local w; w=$(mktemp -d "$B/native/w.XXXXXX"); mkdir "$w/tmp"; chown -R "$TEST_UID:$TEST_UID" "$w"
  user_argv "$w" "$w/tmp" native
  (cd "$w" && "${argv[@]}" timeout 900 $PY "$B/unittest_ids.py" "$@" 2>>"$B/res/native.log")
  rm -rf "$w"
}
# A fresh persistent upper per run, on the file system of the work dir, as a container's upper
# on its own disk would be (a --memory upper in /dev/shm reports another st_dev: README, Limits).
shim_run() {
  local u; u=$(mktemp -u "$B/uppers/u.XXXXXX")
  user_argv "$B/shim/work" "$B/shim/tmp" preload
  (cd "$B/shim/work" && in_ro_shim "${argv[@]}" timeout 900 "$B/bin/rwshim" run --upper "$u" -- \
    $PY "$B/unittest_ids.py" "$@" 2>>"$B/res/shim.log")
  rm -rf "$u"
}

# The two passes run side by side (the runner allows 300 s per test); a case that fails only
# from the contention is caught by the re-run alone below.
now() { date +%s.%N; }
timed_pass() { # native|shim: every module, then the seconds it took into res/<pass>.time
  local t0; t0=$(now)
  for m in "${present[@]}"; do "$1_run" "test.$m" >>"$B/res/$1"; done
  awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }' >"$B/res/$1.time"
}
timed_pass native & native_pid=$!
timed_pass shim
wait "$native_pid"
grep -q '^RWSHIM-RESULT ok' "$B/res/native" || fail "no test passed natively: $(tail -n 20 "$B/res/native.log")"
summary=$($PY "$B/compare.py" "$B/res/native" "$B/res/shim")
note "modules: ${present[*]}"
note "$(head -n 1 <<<"$summary")"
note "native run $(cat "$B/res/native.time") s, rwshim run $(cat "$B/res/shim.time") s (side by side)"

# Confirm each regression alone on both sides.
regressions=0 flaky=0
while read -r _ id _; do
  [ -n "$id" ] || continue
  if ! native_run "$id" | grep -q "^RWSHIM-RESULT ok "; then
    flaky=$((flaky + 1)); note "flaky natively (not counted): $id"; continue
  fi
  if shim_run "$id" | grep -q "^RWSHIM-RESULT ok "; then
    flaky=$((flaky + 1)); note "failed in the module run, passed alone under rwshim (not counted): $id"; continue
  fi
  regressions=$((regressions + 1)); echo "REGRESSION $id"
done < <(grep '^REGRESSION' <<<"$summary")
note "confirmed regressions $regressions, unconfirmed $flaky"
if [ "$regressions" -gt 0 ]; then
  [ -n "${CPYTHON_KEEP:-}" ] && cp "$B/res/"* "$CPYTHON_KEEP/"
  fail "$regressions test cases pass natively and fail under rwshim"
fi
echo ok
