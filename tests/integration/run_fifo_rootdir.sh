# FIFOs made in a root-owned dir (mkfifo(1), Python's os.mkfifo and os.mknod): natively
# refused; under rwshim they live in the upper, stat says FIFO, and one process writes what
# another reads through them (in one run, and across two runs with the same upper). A FIFO the
# lower already has is opened as it is, never copied up.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv mkfifo stat
mkdir -p "$T/srv/run" && mkfifo -m 0644 "$T/srv/run/root.fifo" && root_tree "$T/srv"
up="$T/up"; user_dir "$up"
d="$T/srv/run"
out=$(as_user_native mkfifo "$d/a.fifo" 2>&1) && fail "native mkfifo in a root-owned dir should fail"
assert_contains "$out" "Permission denied"
out=$(as_user_native $PY -c "import os, sys; os.mkfifo(sys.argv[1])" "$d/b.fifo" 2>&1) && fail "native os.mkfifo should fail"
assert_contains "$out" "PermissionError"

out=$(as_user "$RW" run --upper "$up/u" -- sh -c "
mkfifo '$d/a.fifo' && stat -c %F '$d/a.fifo' &&
( echo through-the-fifo > '$d/a.fifo' & ) && cat '$d/a.fifo'" 2>&1) || fail "mkfifo under rwshim failed: $out"
assert_contains "$out" "fifo"
assert_contains "$out" "through-the-fifo"

cat > "$T/fifo.py" <<'PY'
import os, pathlib, stat, sys
d = sys.argv[1]
os.mkfifo(d + "/b.fifo", 0o600)
os.mknod(d + "/c.fifo", 0o600 | stat.S_IFIFO)
for n in ("b.fifo", "c.fifo", "a.fifo"):
    p = pathlib.Path(d, n)
    print(n, p.is_fifo(), p.is_socket(), p.is_file(), stat.S_ISFIFO(os.stat(p).st_mode))
print("listed", sorted(os.listdir(d)))
try:
    os.mkfifo(d + "/b.fifo")
except FileExistsError:
    print("again: exists")
pid = os.fork()
if pid == 0:
    with open(d + "/b.fifo", "w") as f:
        f.write("from the child\n")
    os._exit(0)
with open(d + "/b.fifo") as f:
    print("read", f.read().strip())
os.waitpid(pid, 0)
PY
chmod a+r "$T/fifo.py"
out=$(as_user "$RW" run --upper "$up/u" -- $PY "$T/fifo.py" "$d" 2>&1) || fail "os.mkfifo under rwshim failed: $out"
for n in a b c; do assert_contains "$out" "$n.fifo True False False True"; done
assert_contains "$out" "listed ['a.fifo', 'b.fifo', 'c.fifo', 'root.fifo']"
assert_contains "$out" "again: exists"
assert_contains "$out" "read from the child"
[ -p "$up/u/fs$d/b.fifo" ] || fail "b.fifo is not a FIFO in the upper"
[ -e "$d/a.fifo" ] && fail "FIFO created in the real root-owned dir"

# A later run: a writer and a reader, two separate runs on the same upper.
as_user "$RW" run --upper "$up/u" -- sh -c "echo second-run > '$d/a.fifo'" &
writer=$!
out=$(as_user "$RW" run --upper "$up/u" -- cat "$d/a.fifo" 2>&1) || fail "reading the FIFO in a second run failed: $out"
wait "$writer" || fail "writer run failed"
assert_eq "$out" "second-run"

# The lower FIFO is not writable by the user: refused as natively, and never copied up.
out=$(as_user "$RW" run --upper "$up/u" -- sh -c "echo x > '$d/root.fifo'" 2>&1) && fail "writing a root FIFO should stay refused"
assert_contains "$out" "Permission denied"
[ -e "$up/u/fs$d/root.fifo" ] && fail "the lower FIFO was copied up"
echo ok
