# Programs that close every fd above 2 (daemons, shells) or dup2 onto high numbers must keep
# working under rwshim, and must never make the upper directory fd cache (core/vfs_dircache.c)
# use one of *their* files as an upper directory: after closing 3..1024 and putting a lower
# directory holding a different "x" on every high fd, stat of the redirected name still answers
# for the upper copy, and creates still land in the upper.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
$PY -c 'print(1)' >/dev/null || skip "no python3"
# The decoy part (dup2 onto the cache's numbers) needs the close/dup2 wrappers exported; the
# rest holds without them (a cached fd closed behind our back fails with EBADF and is dropped).
decoy=decoy
nm -D --defined-only "$RWSHIM_BUILD/librwshim.so" | grep -qw dup2 ||
  { decoy=nodecoy; note "librwshim.so exports no close/dup2 wrappers (src/preload/exports.map): no decoy fds"; }
mkdir -p "$T/ro" "$T/decoy"; printf 12345 > "$T/decoy/x"; root_tree "$T/ro"; root_tree "$T/decoy"
mkdir -p "$T/rw"; chown "$TEST_UID:$TEST_UID" "$T/rw"
user_dir "$T/up"; chmod 0700 "$T/up"
cat > "$T/fds.py" <<'PY'
import ctypes, os, sys
base, decoy, how, use_decoy = sys.argv[1:5]
d = os.path.join(base, "d")
os.mkdir(d)
with open(os.path.join(d, "x"), "w") as f:
    f.write("a")
print("before", os.stat(os.path.join(d, "x")).st_size)
libc = ctypes.CDLL(None, use_errno=True)
if how == "close-loop":
    for fd in range(3, 1025):
        libc.close(fd)
elif how == "closerange":
    os.closerange(3, 1025)
elif how == "close_range":
    libc.close_range(3, 0xffffffff, 0)
dfd = os.open(decoy, os.O_RDONLY | os.O_DIRECTORY)
for fd in range(900, 1024) if use_decoy == "decoy" else ():
    if fd != dfd:
        os.dup2(dfd, fd)
print("after", os.stat(os.path.join(d, "x")).st_size)
with open(os.path.join(d, "y"), "w") as f:
    f.write("bb")
print("y", os.stat(os.path.join(d, "y")).st_size, sorted(os.listdir(d)))
print("decoy", sorted(os.listdir(decoy)))
PY
chmod 644 "$T/fds.py"
for how in close-loop closerange close_range; do
  rm -rf "$T/rw/d"
  native=$(as_user_native $PY "$T/fds.py" "$T/rw" "$T/decoy" $how $decoy 2>&1)
  assert_eq "$native" $'before 1\nafter 1\ny 2 [\'x\', \'y\']\ndecoy [\'x\']' "native ($how)"
  shimmed=$(as_user "$RW" run --upper "$T/up" -- $PY "$T/fds.py" "$T/ro" "$T/decoy" $how $decoy 2>&1)
  assert_eq "$shimmed" "$native" "under rwshim ($how)"
  rm -rf "$T/up/fs$T/ro/d"
done
echo ok
