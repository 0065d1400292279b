# Divergences from the kernel found by CPython's own tests (run_cpython_differential), each
# compared with what the kernel does natively on a writable copy of the same tree:
# chmod(follow_symlinks=False) on a symlink, creating "name/" (trailing slash), a TemporaryDirectory
# whose entries' modes were changed (000 ... 700) cleaned up, ismount of a new directory (upper on
# the same file system), statvfs of a new file.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
mkdir -p "$T/ro/sub" "$T/rw/sub"; echo lower > "$T/ro/file"; echo lower > "$T/rw/file"
root_tree "$T/ro"; chown -R "$TEST_UID:$TEST_UID" "$T/rw"
cat > "$T/sem.py" <<'PY'
import errno, os, posixpath, shutil, sys, tempfile
base = sys.argv[1]
P = lambda *a: os.path.join(base, *a)
def attempt(name, fn):
    try:
        r = fn()
        print(name, "ok", r if r is not None else "")
    except OSError as e:
        print(name, type(e).__name__, errno.errorcode.get(e.errno, e.errno))
    except NotImplementedError:
        print(name, "NotImplementedError")
attempt("new-file", lambda: open(P("new"), "w").close())
attempt("symlink", lambda: os.symlink("new", P("sl")))
attempt("dangling-symlink", lambda: os.symlink("nowhere", P("dangling")))
attempt("lchmod-symlink", lambda: os.chmod(P("sl"), 0o600, follow_symlinks=False))
attempt("lchmod-dangling", lambda: os.chmod(P("dangling"), 0o600, follow_symlinks=False))
attempt("lchmod-file", lambda: os.chmod(P("new"), 0o640, follow_symlinks=False))
attempt("mode-after", lambda: oct(os.stat(P("new")).st_mode & 0o777))
attempt("lchmod-lower-file", lambda: os.chmod(P("file"), 0o640, follow_symlinks=False))
attempt("lower-mode-after", lambda: oct(os.stat(P("file")).st_mode & 0o777))
attempt("creat-trailing-slash", lambda: os.close(os.open(P("nodir") + "/", os.O_CREAT | os.O_WRONLY, 0o644)))
attempt("trailing-slash-made-nothing", lambda: os.path.lexists(P("nodir")))
attempt("copyfile-to-missing-dir", lambda: shutil.copyfile(P("file"), P("missing_dir") + "/"))
attempt("upper-dir", lambda: os.mkdir(P("updir")))
attempt("copyfile-to-missing-dir-in-new-dir", lambda: shutil.copyfile(P("file"), P("updir", "missing") + "/"))
attempt("nothing-made-in-new-dir", lambda: os.listdir(P("updir")))
attempt("open-file-slash", lambda: open(P("new") + "/").close())
attempt("stat-file-slash", lambda: os.stat(P("new") + "/") and None)
attempt("mkdir-slash", lambda: os.mkdir(P("newdir") + "/"))
attempt("ismount-new-dir", lambda: posixpath.ismount(P("newdir")))
attempt("statvfs-new-file", lambda: os.statvfs(P("new")).f_bsize > 0)
attempt("statvfs-missing", lambda: os.statvfs(P("missing")) and None)
attempt("lstat-symlink-slash", lambda: oct(os.lstat(P("sl") + "/").st_mode & 0o170000))
for mode in range(8):
    mode <<= 6
    def modes():
        d = tempfile.TemporaryDirectory(dir=base)
        for i in range(2):
            os.makedirs(os.path.join(d.name, "d%d" % i, "e"))
            open(os.path.join(d.name, "d%d" % i, "f"), "w").close()
        for root, dirs, files in os.walk(d.name, topdown=False):
            for name in files:
                os.chmod(os.path.join(root, name), mode)
            os.chmod(root, mode)
        d.cleanup()
        return os.path.exists(d.name)
    attempt("tempdir-modes-%03o" % mode, modes)
PY
chmod 644 "$T/sem.py"
native=$(as_user_native $PY "$T/sem.py" "$T/rw" 2>&1 | sed "s|$T/rw|BASE|g")
assert_contains "$native" "new-file ok" "native run did not start"
denied=$(as_user_native $PY "$T/sem.py" "$T/ro" 2>&1)
assert_contains "$denied" "new-file PermissionError EACCES" "the read-only tree was writable natively"
up="$T/up"; user_dir "$up"
shim=$(as_user "$RW" run --upper "$up/u" -- $PY "$T/sem.py" "$T/ro" 2>&1 | sed "s|$T/ro|BASE|g")
if [ "$native" != "$shim" ]; then
  diff <(echo "$native") <(echo "$shim")
  fail "merged view differs from the kernel's answers"
fi
echo ok
