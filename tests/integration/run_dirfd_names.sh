# The preload names a dirfd's directory from a per-thread memo checked by fstat (dev, inode) instead
# of a readlink of /proc/self/fd per call. The memo must never misname: a directory renamed or
# removed by the process itself, an fd closed and reused for another directory, and a directory
# renamed in the upper all name where the file lands exactly as native does.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
mkdir -p "$T/ro/c" "$T/ro/gone"; root_tree "$T/ro"
user_dir "$T/up"; chmod 0700 "$T/up"
cat > "$T/dirfd.py" <<'PY'
import os, sys
root = sys.argv[1]
def create(fd, name):
    os.close(os.open(name, os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=fd))
os.mkdir(os.path.join(root, "a"))                   # a made by the run: renamable
fd = os.open(os.path.join(root, "a"), os.O_RDONLY | os.O_DIRECTORY)
create(fd, "f1")                                    # memo filled: a
os.rename(os.path.join(root, "a"), os.path.join(root, "b"))
create(fd, "f2")                                    # the same fd, the directory now named b
os.close(fd)
fd2 = os.open(os.path.join(root, "c"), os.O_RDONLY | os.O_DIRECTORY)
assert fd2 == fd, (fd2, fd)                         # the number reused for another directory
create(fd2, "f3")
g = os.open(os.path.join(root, "gone"), os.O_RDONLY | os.O_DIRECTORY)
create(g, "f4"); os.unlink(os.path.join(root, "gone", "f4"))
os.rmdir(os.path.join(root, "gone"))
try:
    create(g, "f5")
    print("f5 created in a removed directory")
except FileNotFoundError:
    pass
for d in sorted(os.listdir(root)):
    print(d, sorted(os.listdir(os.path.join(root, d))))
PY
chmod 644 "$T/dirfd.py"
cp -a "$T/ro" "$T/native"; chown -R "$TEST_UID:$TEST_UID" "$T/native"
want=$(as_user_native $PY "$T/dirfd.py" "$T/native")
assert_eq "$want" $'b [\'f1\', \'f2\']\nc [\'f3\']' "native result"
got=$(as_user "$RW" run --upper "$T/up" -- $PY "$T/dirfd.py" "$T/ro")
assert_eq "$got" "$want" "dirfd-relative creates under rwshim"
echo "ok"
