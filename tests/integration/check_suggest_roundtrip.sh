#!/usr/bin/env bash
# check, incident 2 (matplotlib + a JSON store under HOME) on a read-only root: the run fails
# naming exactly its paths and fixes; --suggest prints a writable set that, fed back, passes.
. "$(dirname "$0")/../lib.sh"
need_root
PY=/usr/bin/python3
[ -x $PY ] && $PY -c 'import matplotlib' 2>/dev/null || skip "python3-matplotlib not installed"
mkdir -p "$T/app"
incident2_app "$T/app"
# The app and HOME belong to the user (as in an image built for it): natively it works.
# HOME lives outside /tmp, so that a suggested --writable /tmp cannot cover it.
H=$(mktemp -d /var/tmp/rwshim-home.XXXXXX) || skip "no /var/tmp"
trap 'rm -rf "$H"; cleanup_test' EXIT
chmod 0755 "$H"
user_dir "$T/app"; chown -R "$TEST_UID:$TEST_UID" "$T/app"; user_dir "$H/home"
export USER_HOME=$H/home

note "native: the app runs and writes under HOME"
out=$(as_user_native $PY "$T/app/main.py" 2>&1) || fail "native run failed: $out"
rm -rf "$H/home/.myapp" "$H/home/.config" "$H/home/.cache" "$T/app/__pycache__"

for backend in landlock userns; do
  note "[$backend] read-only root: the run fails and names its paths and fixes"
  out=$(as_user "$RW" check --backend "$backend" --suggest -- $PY "$T/app/main.py" 2>&1); st=$?
  [ "$st" = 125 ] && { note "$backend unavailable"; continue; }
  [ "$st" -ne 0 ] || fail "[$backend] should fail: $out"
  assert_contains "$out" "$H/home/"
  assert_contains "$out" "MPLCONFIGDIR"
  assert_contains "$out" "SUGGESTED WRITABLE SET"
  assert_contains "$out" "emptyDir"
  flags=$(grep -o -- '--writable [^ ]*' <<<"$out" | tr '\n' ' ')
  [ -n "$flags" ] || fail "[$backend] no --writable suggested: $out"
  note "[$backend] fed back: $flags"
  # shellcheck disable=SC2086
  out=$(as_user "$RW" check --backend "$backend" $flags -- $PY "$T/app/main.py" 2>&1); st=$?
  assert_eq "$st" 0 "[$backend] suggested set passes ($out)"
  assert_contains "$out" "saved"
  rm -rf "$H/home/.myapp" "$H/home/.config" "$H/home/.cache" "$T/app/__pycache__"
done
echo ok
