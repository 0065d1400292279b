# A chown to another user is refused natively with EPERM (an unprivileged user cannot give a
# file away) and must stay refused under rwshim, without copying the file up: the upper copy
# would be owned by the caller, so the chown would fail there too and leave a useless copy.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
mkdir -p "$T/ro"; echo data > "$T/ro/f"; root_tree "$T/ro"
user_dir "$T/up"; chmod 0700 "$T/up"
cat > "$T/chown.py" <<'PY'
import errno, os, sys
for uid, gid in ((0, -1), (4321, -1), (-1, 0)):
    try:
        os.chown(sys.argv[1], uid, gid)
        print(uid, gid, "ok")
    except OSError as e:
        print(uid, gid, errno.errorcode[e.errno])
PY
chmod 644 "$T/chown.py"
native=$(as_user_native $PY "$T/chown.py" "$T/ro/f")
assert_eq "$native" $'0 -1 EPERM\n4321 -1 EPERM\n-1 0 EPERM' "native chown gives EPERM"
shimmed=$(as_user "$RW" run --upper "$T/up" -- $PY "$T/chown.py" "$T/ro/f")
assert_eq "$shimmed" "$native" "chown under rwshim answers like native"
[ ! -e "$T/up/fs$T/ro/f" ] || fail "a refused chown copied the file up"
# The caller's own uid and group are no give-away: they still redirect (the upper copy is the caller's).
out=$(as_user "$RW" run --upper "$T/up" -- $PY -c "import os,sys; os.chown(sys.argv[1], $TEST_UID, $TEST_UID); print('ok')" "$T/ro/f")
assert_eq "$out" ok "chown to oneself redirects"
[ -f "$T/up/fs$T/ro/f" ] || fail "chown to oneself did not copy up"
echo "ok"
