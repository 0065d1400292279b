# CPython's own tests of Unix sockets and FIFOs, with every file they make in a root-owned
# place: logging's Unix handlers (SocketHandler, DatagramHandler, SysLogHandler over AF_UNIX
# paths, sockets named by tempfile), socketserver's and asyncio's Unix servers, and pathlib's
# is_socket/is_fifo (made in the cwd). Natively they error or skip themselves; under rwshim
# they pass, none skipped.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
"$PY" -c "import test.test_logging, test.test_pathlib, test.test_socketserver, test.test_asyncio.test_unix_events" 2>/dev/null || skip "CPython's test suite (libpython3-testsuite) not installed"
mkdir -p "$T/work" "$T/tmp" && root_tree "$T/work" && root_tree "$T/tmp"
up="$T/up"; user_dir "$up"
cat > "$T/runtests.py" <<'PY'
import sys, tempfile, unittest
tempfile.tempdir = sys.argv[1]   # where the tests' socket names go: root-owned
result = unittest.main(module=sys.argv[2], argv=["tests"] + [a for k in sys.argv[3:] for a in ("-k", k)],
                       exit=False, verbosity=2).result
print("ran", result.testsRun, "errors", len(result.errors), "failures", len(result.failures),
      "skipped", len(result.skipped))
sys.exit(not result.wasSuccessful())
PY
chmod a+r "$T/runtests.py"
run_suite() { # native|rw module keys...
  local how=$1; shift
  if [ "$how" = native ]; then
    (cd "$T/work" && as_user_native $PY "$T/runtests.py" "$T/tmp" "$@" 2>&1)
  else
    (cd "$T/work" && as_user "$RW" run --upper "$up/u" -- $PY "$T/runtests.py" "$T/tmp" "$@" 2>&1)
  fi
}
out=$(run_suite native test.test_logging Unix) && fail "native logging Unix tests should error in a root-owned tmp: $out"
assert_contains "$out" "PermissionError"
out=$(run_suite rw test.test_logging Unix) || fail "logging Unix handler tests under rwshim failed: $out"
assert_contains "$out" "UnixSysLogHandlerTest"
assert_contains "$out" "errors 0 failures 0 skipped 0"
assert_not_contains "$out" "ran 0 "

# socketserver's Unix servers skip themselves when they cannot bind: count the skips
out=$(run_suite native test.test_socketserver Unix)
assert_not_contains "$out" "skipped 0" "native socketserver Unix tests should not run in a root-owned tmp"
out=$(run_suite rw test.test_socketserver Unix) || fail "socketserver Unix tests under rwshim failed: $out"
assert_contains "$out" "ran 6 errors 0 failures 0 skipped 0"
out=$(run_suite rw test.test_asyncio.test_unix_events unix Unix) || fail "asyncio Unix event tests under rwshim failed: $out"
assert_contains "$out" "errors 0 failures 0 skipped 0"

out=$(run_suite native test.test_pathlib is_socket is_fifo) && fail "native pathlib tests should error in a root-owned cwd: $out"
out=$(run_suite rw test.test_pathlib is_socket_true is_fifo_true) || fail "pathlib is_socket/is_fifo under rwshim failed: $out"
assert_contains "$out" "test_is_socket_true (test.test_pathlib.PosixPathTest.test_is_socket_true) ... ok"
assert_contains "$out" "test_is_fifo_true (test.test_pathlib.PosixPathTest.test_is_fifo_true) ... ok"
assert_contains "$out" "errors 0 failures 0"
echo ok
