#!/usr/bin/env bash
# trace and check of a musl-linked program (tests/helpers/musl_state.c): trace records its
# refused writes with its argv and the calling object; check reports the writes Landlock
# refused outside the writable set; both follow it into the glibc programs it starts.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
[ "${RWSHIM_SANITIZED:-0}" = 1 ] && skip "sanitized run: musl programs cannot load the ASan runtime (glibc's), and the musl preload is not sanitized"
MS=$T/helpers/musl_state
[ -x "$MS" ] || skip "$(musl_missing): no musl test helpers"
[ -f "$T/lib/rwshim/librwshim-musl.so" ] || skip "$(musl_missing): no librwshim-musl.so"
mkdir -p "$T/app"; root_tree "$T/app"
user_dir "$T/home"; mkdir -p "$T/tmp"; chmod 1777 "$T/tmp"

note "native: the musl program fails in the root-owned dir, and writes its home unchecked"
out=$(as_user_native "$MS" "$T/app" 2>&1); st=$?
assert_eq "$st" 1 "native status ($out)"
assert_contains "$out" "Permission denied"
as_user_native "$MS" "$T/home" >/dev/null 2>&1 || fail "native run in its own dir failed"
rm -rf "$T/home/data"

note "trace: the refused mkdir, by the musl program, with its argv"
out=$(as_user "$RW" trace --json -o "$T/tmp/trace.json" -- "$MS" "$T/app" 2>&1); st=$?
assert_eq "$st" 1 "trace keeps the command's status ($out)"
j=$(cat "$T/tmp/trace.json")
assert_contains "$j" "\"op\":\"mkdir\",\"path\":\"$T/app/data\""
assert_contains "$j" '"action":"denied"'
assert_contains "$j" "\"argv\":[\"$MS\",\"$T/app\"]"
assert_contains "$j" "\"caller\":\"$MS\""

note "check: the musl program's writes outside the writable set are refused and reported"
out=$(as_user "$RW" check --writable "$T/tmp" -- "$MS" "$T/home" 2>&1); st=$?
[ "$st" = 125 ] && grep -qi 'unavailable' <<<"$out" && skip "landlock unavailable: $out"
assert_eq "$st" 1 "check keeps the command's status ($out)"
assert_contains "$out" "REFUSED"
assert_contains "$out" "$T/home/"
assert_contains "$out" "mkdir: data"
[ ! -e "$T/home/data" ] || fail "the refused mkdir went through"
out=$(as_user "$RW" check --writable "$T/tmp" -- "$MS" "$T/tmp" 2>&1); st=$?
assert_eq "$st" 0 "inside the writable set ($out)"
assert_contains "$out" "no write outside the writable set"

note "trace: from a glibc shell, and the musl program's glibc child"
rm -rf "$T/tmp/data"
out=$(as_user "$RW" trace --json -o "$T/home/trace2.json" -- /bin/sh -c "\"$MS\" \"$T/app\"; \"$MS\" \"$T/tmp\" exec /bin/sh -c 'echo x > $T/app/by-sh'" 2>&1); st=$?
j=$(cat "$T/home/trace2.json")
assert_contains "$j" "\"op\":\"mkdir\",\"path\":\"$T/app/data\""
assert_contains "$j" "\"path\":\"$T/app/by-sh\""
assert_contains "$j" "\"argv\":[\"$MS\",\"$T/tmp\",\"exec\""

note "check: the glibc child of the musl program writing outside: exit 3, the path named"
out=$(as_user "$RW" check --writable "$T/tmp" -- "$MS" "$T/tmp" spawn /bin/sh -c "echo x > $T/home/settings; exit 0" 2>&1); st=$?
assert_eq "$st" 3 "write outside by the glibc child ($out)"
assert_contains "$out" "$T/home/"
assert_contains "$out" "settings"
[ ! -e "$T/home/settings" ] || fail "the write went through"
echo ok
