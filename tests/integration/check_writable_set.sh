#!/usr/bin/env bash
# check: a program writing only /tmp passes with --writable /tmp; one writing under HOME exits 3
# and names the path; a failing command keeps its own status. Both backends.
. "$(dirname "$0")/../lib.sh"
need_root
HELPER=$T/helpers/static_write
mkdir -p "$T/tmp"; chmod 1777 "$T/tmp"
user_dir "$T/home"
export USER_HOME=$T/home

note "native: the program writes under HOME, and nothing objects"
as_user_native sh -c "echo x > \$HOME/settings" || fail "native write failed"
[ -f "$T/home/settings" ] || fail "native write missing"; rm -f "$T/home/settings"

for backend in landlock userns; do
  note "[$backend] writes only under the writable dir: exit 0"
  out=$(as_user "$RW" check --backend "$backend" --writable "$T/tmp" -- sh -c "echo x > $T/tmp/a.\$\$ && echo x > /dev/null" 2>&1); st=$?
  [ "$st" = 125 ] && grep -qi 'unavailable' <<<"$out" && { note "$backend unavailable: $out"; continue; }
  assert_eq "$st" 0 "[$backend] clean run ($out)"
  assert_contains "$out" "no write outside the writable set"

  note "[$backend] a write under HOME: exit 3, the path named"
  out=$(as_user "$RW" check --backend "$backend" --writable "$T/tmp" -- sh -c 'echo x > $HOME/settings; exit 0' 2>&1); st=$?
  assert_eq "$st" 3 "[$backend] write outside ($out)"
  assert_contains "$out" "$T/home/"
  assert_contains "$out" "settings"
  [ ! -e "$T/home/settings" ] || fail "[$backend] the write went through"

  note "[$backend] the command failing: its own status wins over 3"
  out=$(as_user "$RW" check --backend "$backend" --writable "$T/tmp" -- sh -c 'echo x > $HOME/settings; exit 7' 2>&1); st=$?
  assert_eq "$st" 7 "[$backend] command status"

  if [ -x "$HELPER" ]; then
    note "[$backend] a static binary's refused write is reported"
    out=$(as_user "$RW" check --backend "$backend" --writable "$T/tmp" -- "$HELPER" "$T/tmp/s1" "$T/home/s2" 2>&1); st=$?
    assert_eq "$st" 1 "[$backend] static status"
    assert_contains "$out" "$T/home/"
  fi
done
echo ok
