#!/usr/bin/env bash
# check: where each backend differs from a real read-only root (docs/check.md, "What check can
# and cannot see"). Each difference is compared with a real read-only bind mount.
. "$(dirname "$0")/../lib.sh"
need_root
PY=/usr/bin/python3
[ -x $PY ] || skip "python3 not installed"
mkdir -p "$T/data" "$T/w"; user_dir "$T/data"; user_dir "$T/w"
echo old > "$T/data/file"; chown "$TEST_UID:$TEST_UID" "$T/data/file"

# probe.py: errno of a write, access(W_OK), chmod of an owned file, owner of a root-owned dir.
cat > "$T/probe.py" <<'PY'
import errno, os, sys
d = sys.argv[1]
def attempt(fn):
    try:
        fn(); return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]
print("write", attempt(lambda: open(os.path.join(d, "new"), "w").close()))
print("access", "yes" if os.access(d, os.W_OK) else "no")
print("chmod", attempt(lambda: os.chmod(os.path.join(d, "file"), 0o600)))
print("owner_of_root_dir", os.stat("/usr").st_uid)
PY
chmod a+r "$T/probe.py"
field() { awk -v k="$1" '$1 == k { print $2 }' <<<"$2"; }

note "real read-only root (a read-only bind mount): the reference"
ref=$(in_ro_mounts "$T/data" setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups env -i $PY "$T/probe.py" "$T/data")
assert_eq "$(field write "$ref")" EROFS "real ro: write"
assert_eq "$(field access "$ref")" no "real ro: access"
assert_eq "$(field chmod "$ref")" EROFS "real ro: chmod"
assert_eq "$(field owner_of_root_dir "$ref")" 0 "real ro: owner"

note "userns: same errno, same access() answer, same chmod refusal"
out=$(as_user "$RW" check --backend userns --writable "$T/w" -- $PY "$T/probe.py" "$T/data" 2>"$T/err"); st=$?
if [ "$st" = 125 ]; then skip "userns backend unavailable: $(cat "$T/err")"; fi
assert_eq "$(field write "$out")" EROFS "userns: write"
assert_eq "$(field access "$out")" no "userns: access"
assert_eq "$(field chmod "$out")" EROFS "userns: chmod"
note "userns difference: files of other users show as the overflow uid"
assert_eq "$(field owner_of_root_dir "$out")" 65534 "userns: owner of /usr"

note "landlock: EACCES instead of EROFS; access() says writable; chmod is not enforced"
out=$(as_user "$RW" check --backend landlock --writable "$T/w" -- $PY "$T/probe.py" "$T/data" 2>"$T/err"); st=$?
if [ "$st" = 125 ]; then skip "landlock unavailable: $(cat "$T/err")"; fi
assert_eq "$(field write "$out")" EACCES "landlock: write"
assert_eq "$(field access "$out")" yes "landlock: access"
assert_eq "$(field chmod "$out")" ok "landlock: chmod"
assert_eq "$(field owner_of_root_dir "$out")" 0 "landlock: owner"
assert_eq "$st" 3 "landlock: still exit 3 for the refused write"
report=$(cat "$T/err")
assert_contains "$report" "$T/data/ (EACCES"
echo ok
