# Go programs (static, CGO_ENABLED=0, built here from tests/go) that make a temp dir, chdir into
# it and work there with relative paths, run programs they wrote there, use FIFOs and unix
# sockets: with TMPDIR root-owned the temp dirs exist only in the upper, so the supervisor must
# put the kernel's cwd there (chdir/exec rewritten at a ptrace stop) and resolve every relative
# path in the merged view. Natively as the user it fails at the first mkdir; in a writable
# TMPDIR it passes; under rwshim every step and every test must agree with that native run.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv go
GOSRC="$RWSHIM_SRC/tests/go"
mkdir -p "$T/go"
( cd "$GOSRC/cwdprog" && CGO_ENABLED=0 go build -o "$T/go/cwdprog" . ) || fail "go build cwdprog"
( cd "$GOSRC/gosuite" && CGO_ENABLED=0 go test -c -o "$T/go/suite.test" . ) || fail "go test -c gosuite"
file "$T/go/cwdprog" | grep -q "statically linked" || fail "cwdprog is not static"
chmod -R a+rX "$T/go"
mkdir -p "$T/ro/tmp" "$T/ro/home"; root_tree "$T/ro"
user_dir "$T/rw"; mkdir -p "$T/rw/tmp"; chown "$TEST_UID" "$T/rw/tmp"
up="$T/up"; user_dir "$up"
before=$(tree_digest "$T/ro")
ro_env() { as_user env HOME="$T/ro/home" TMPDIR="$T/ro/tmp" "$@"; }
# Native, root-owned TMPDIR: the first step already fails.
out=$(cd "$T" && as_user_native env TMPDIR="$T/ro/tmp" "$T/go/cwdprog" 2>&1)
assert_contains "$out" "mkdirtemp FAIL"
# Native, writable TMPDIR: the reference.
native=$(as_user_native env TMPDIR="$T/rw/tmp" "$T/go/cwdprog" 2>&1)
assert_not_contains "$native" "FAIL" "native reference run"
shim=$(ro_env "$RW" run --upper "$up/u" -- "$T/go/cwdprog" 2>&1)
if [ "$native" != "$shim" ]; then
  diff <(echo "$native") <(echo "$shim")
  fail "Go program under rwshim differs from its native run"
fi
# The same program started by a dynamic shell (handed over by the preload), from a cwd the
# upper holds: it starts there, and its own exec of programs written there works.
out=$(ro_env "$RW" run --upper "$up/u" -- sh -c "mkdir \$TMPDIR/shdir && cd \$TMPDIR/shdir && $T/go/cwdprog | grep -c ' ok\$'; pwd" 2>&1)
assert_eq "$out" "$(grep -c ' ok$' <<<"$native")
$T/ro/tmp/shdir"
# A Go test suite (go test -c), case by case: natively in a writable TMPDIR, then under rwshim.
results() { grep -E '^--- (PASS|FAIL|SKIP)' | sed 's/ (.*//'; }
native=$(as_user_native env TMPDIR="$T/rw/tmp" "$T/go/suite.test" -test.v 2>&1 | results)
assert_not_contains "$native" "FAIL" "native suite"
out=$(as_user_native env TMPDIR="$T/ro/tmp" "$T/go/suite.test" -test.v 2>&1 | results)
assert_contains "$out" "--- FAIL: TestTempDirChdir" "the suite natively with a root-owned TMPDIR"
shim=$(ro_env "$RW" run --upper "$up/u" -- "$T/go/suite.test" -test.v 2>&1)
if [ "$native" != "$(results <<<"$shim")" ]; then
  diff <(echo "$native") <(results <<<"$shim"); echo "$shim" | grep -v '^=== ' | head -40
  fail "Go test suite under rwshim: regressions against the native run"
fi
note "$(grep -c PASS <<<"$native") tests pass natively and under rwshim"
assert_eq "$(tree_digest "$T/ro")" "$before" "the root-owned tree was modified"
echo ok
