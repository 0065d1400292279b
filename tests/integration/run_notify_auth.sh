# The notify channel checks who holds the supervisor's socket before sending it anything.
# A process of the run that outlives `rwshim run` still has $RWSHIM_NOTIFY; once the supervisor
# has exited, anyone may bind that abstract name. When the process then execs a static program,
# the preload must refuse the impostor (another uid, or our uid but not the supervisor's pid)
# and run the program unserved with one line, never hand it the seccomp listener.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
BB=/bin/busybox
[ -x $BB ] && ! file -L $BB | grep -q dynamic || skip "busybox-static not installed"
OTHER_UID=$((TEST_UID + 1000))
mkdir -p "$T/ro"; root_tree "$T/ro"
up="$T/up"; user_dir "$up"

# Natively a static program cannot write in the root-owned dir; under rwshim, with the
# supervisor alive, the channel works and the write lands in the upper.
as_user_native $BB sh -c "echo x > $T/ro/f" 2>/dev/null && fail "native write in a root-owned dir should fail"
out=$(as_user "$RW" run --upper "$up/u" -- sh -c "$BB sh -c 'echo served > $T/ro/f' && cat $T/ro/f" 2>&1)
assert_eq "$out" "served" "a static descendant is served while the supervisor lives"

# The impostor: binds the name as uid $2 and reports what the first connection brought.
cat > "$T/impostor.py" <<'PY'
import array, os, socket, sys
name, outdir = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(b"\0" + name.encode())
s.listen(4)
open(os.path.join(outdir, "ready"), "w").close()
s.settimeout(120)
try:
    conn, _ = s.accept()
except socket.timeout:
    print("no connection"); sys.exit(0)
conn.settimeout(120)
fds = array.array("i")
msg, anc, _, _ = conn.recvmsg(16, socket.CMSG_SPACE(4 * fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
for fd in fds:
    print("got fd:", os.readlink("/proc/self/fd/%d" % fd)); os.close(fd)
if not fds:
    print("connected, no fd, %d bytes" % len(msg))
PY
chmod 644 "$T/impostor.py"

# attack UID: the victim waits (for a file, not a timer) until the impostor listens.
attack() {
  local uid=$1 out="$T/out$1"
  mkdir -p "$out"; chmod 777 "$out"
  as_user "$RW" run --upper "$up/u" -- sh -c \
    "echo \$RWSHIM_NOTIFY > $out/name; (while [ ! -e $out/go ]; do sleep 0.05; done; $BB true; echo \$? > $out/status.tmp; mv $out/status.tmp $out/status) &" \
    > "$out/log" 2>&1 || fail "rwshim run failed: $(cat "$out/log")"
  local name; name=$(cat "$out/name")
  [ -n "$name" ] || fail "the run had no \$RWSHIM_NOTIFY"
  # rwshim has exited: its name is free (binding it now is the attack).
  setpriv --reuid="$uid" --regid="$uid" --clear-groups -- "$PY" "$T/impostor.py" "$name" "$out" > "$out/impostor" 2>&1 &
  local imp=$!
  for _ in $(seq 600); do [ -e "$out/ready" ] || ! kill -0 $imp 2>/dev/null && break; sleep 0.1; done
  [ -e "$out/ready" ] || fail "impostor could not bind $name: $(cat "$out/impostor")"
  touch "$out/go"
  for _ in $(seq 600); do [ -e "$out/status" ] && break; sleep 0.1; done
  wait $imp
  assert_eq "$(cat "$out/status" 2>/dev/null)" 0 "the victim's busybox should run (unserved)"
  assert_not_contains "$(cat "$out/impostor")" "got fd" "uid $uid received the victim's listener"
  assert_contains "$(cat "$out/impostor")" "connected, no fd, 0 bytes" "the victim should connect, check and leave"
  assert_contains "$(cat "$out/log")" "rwshim: the supervisor's socket is held by another process: refused; a static program runs unserved: $BB"
  assert_eq "$(grep -c . "$out/log")" 1 "one line, nothing else: $(cat "$out/log")"
}
attack "$OTHER_UID"   # another user
attack "$TEST_UID"    # our own uid, but not the supervisor's process
echo ok
