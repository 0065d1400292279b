#!/usr/bin/env bash
# check: bad input is one line on stderr and exit 125, before anything runs.
. "$(dirname "$0")/../lib.sh"
need_root
user_dir "$T/home"

expect_125() { # description, args...
  local what=$1; shift
  local out st
  out=$(as_user "$RW" check "$@" 2>&1 >/dev/null); st=$?
  assert_eq "$st" 125 "$what: status"
  assert_eq "$(grep -vc '^hint:' <<<"$out")" 1 "$what: one line ($out)"
  assert_contains "$out" "rwshim"
}

expect_125 "nonexistent writable" --writable "$T/missing" -- true
out=$(as_user "$RW" check --writable "$T/missing" -- true 2>&1)
assert_contains "$out" "$T/missing: No such file or directory"
expect_125 "relative writable" --writable tmp -- true
expect_125 "no command" --writable /tmp
expect_125 "no command, no option"
expect_125 "unknown backend" --backend chroot -- true
expect_125 "unknown option" --frobnicate -- true
note "the command did not run: nothing was created"
expect_125 "not run" --writable "$T/missing" -- touch "$T/home/ran"
[ ! -e "$T/home/ran" ] || fail "command ran despite bad input"
echo ok
