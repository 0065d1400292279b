# check: static programs started by a dynamic one (a Go binary and busybox run from a CI
# script) stay confined, and their refused writes are reported with the same records as the
# dynamic programs' and end up in --suggest. Natively the same writes go through.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv go
BB=/bin/busybox
[ -x $BB ] && ! file -L $BB | grep -q dynamic || skip "busybox-static not installed"
mkdir -p "$T/go"
( cd "$RWSHIM_SRC/tests/go/cwdprog" && CGO_ENABLED=0 go build -o "$T/go/cwdprog" . ) || fail "go build cwdprog"
chmod -R a+rX "$T/go"
user_dir "$T/ok"; user_dir "$T/gotmp"; user_dir "$T/state"
script="$BB sh -c 'echo x > $T/ok/fine && echo y > $T/state/static.db'; TMPDIR=$T/gotmp $T/go/cwdprog | head -1; echo script done"
out=$(as_user_native sh -c "$script" 2>&1)
assert_contains "$out" "mkdirtemp ok" "natively the Go program writes its temp dir"
[ -f "$T/state/static.db" ] || fail "natively busybox writes its state"
rm -rf "$T/state/static.db" "$T/gotmp"/* "$T/ok/fine"
for backend in landlock userns; do
  out=$(as_user "$RW" check --backend $backend --writable "$T/ok" --suggest -- sh -c "$script" 2>&1); st=$?
  [ "$st" = 125 ] && grep -qi 'unavailable' <<<"$out" && { note "$backend unavailable: $out"; continue; }
  assert_eq "$st" 3 "[$backend] writes outside the writable set ($out)"
  assert_contains "$out" "mkdirtemp FAIL" "[$backend] the Go program is refused"
  assert_contains "$out" "$T/state/" "[$backend] busybox's refused write is reported"
  assert_contains "$out" "static.db"
  assert_contains "$out" "$T/gotmp/" "[$backend] the Go program's refused mkdir is reported"
  assert_contains "$out" "cwdprog"
  assert_contains "$out" "--writable $T/state" "[$backend] suggested"
  assert_contains "$out" "--writable $T/gotmp" "[$backend] suggested"
  [ -f "$T/ok/fine" ] || fail "[$backend] a write inside the writable set was refused"
  [ ! -e "$T/state/static.db" ] && [ -z "$(ls "$T/gotmp")" ] || fail "[$backend] a static program escaped the sandbox"
  rm -f "$T/ok/fine"
  # --suggest's set lets it pass.
  out=$(as_user "$RW" check --backend $backend --writable "$T/ok" --writable "$T/state" --writable "$T/gotmp" -- sh -c "$script" 2>&1) ||
    fail "[$backend] with the suggested set: $out"
  assert_contains "$out" "no write outside the writable set"
  rm -rf "$T/state/static.db" "$T/gotmp"/* "$T/ok/fine"
done
echo ok
