#!/usr/bin/env bash
# The musl preload loads into musl programs: the glibc one cannot (its FORTIFY and
# __register_atfork imports do not exist in musl: "Error relocating", exit 127), while every
# symbol librwshim-musl.so imports is exported by musl's libc.so (it is linked -z now, so one
# missing name would stop every musl program before main), and it exports no glibc-only name.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv readelf
MS=$T/helpers/musl_state
ML=$T/lib/rwshim/librwshim-musl.so
[ -x "$MS" ] && [ -f "$ML" ] || skip "$(musl_missing): no librwshim-musl.so"
[ "${RWSHIM_SANITIZED:-0}" = 1 ] && skip "sanitized run: musl programs cannot load the ASan runtime (glibc's)"
LIBC=$(readlink -f "/lib/ld-musl-$(uname -m).so.1")
[ -f "$LIBC" ] || skip "no musl libc.so at /lib/ld-musl-$(uname -m).so.1"
mkdir -p "$T/app"; root_tree "$T/app"

note "the glibc preload in a musl program: it dies before main"
out=$(as_user_native env LD_PRELOAD="$T/lib/rwshim/librwshim.so" "$MS" "$T/app" 2>&1); st=$?
assert_eq "$st" 127 "glibc preload in a musl program ($out)"
assert_contains "$out" "symbol not found"

note "the musl preload: loads, with rwshim's configuration and without"
out=$(as_user_native env LD_PRELOAD="$ML" "$MS" "$T/app" 2>&1); st=$?
assert_eq "$st" 1 "musl preload, no configuration: the program runs and fails as natively ($out)"
assert_contains "$out" "mkdir: $T/app/data: Permission denied"

undefined() { readelf --dyn-syms -W "$1" | awk '$7 == "UND" && $5 != "WEAK" && $8 != "" { sub(/@.*/, "", $8); print $8 }' | sort -u; }
defined() { readelf --dyn-syms -W "$1" | awk '$7 != "UND" && $7 != "Ndx" && $8 != "" { sub(/@.*/, "", $8); print $8 }' | sort -u; }
missing=$(comm -23 <(undefined "$ML") <(defined "$LIBC"))
assert_eq "$missing" "" "imports of librwshim-musl.so that musl's libc.so lacks"
[ "$(undefined "$ML" | wc -l)" -gt 10 ] || fail "readelf listed no imports: the check proves nothing"
readelf -d "$ML" | grep NEEDED | grep -qv 'libc.so' && fail "librwshim-musl.so needs more than libc.so: $(readelf -d "$ML" | grep NEEDED)"
glibc_only=$(defined "$ML" | grep -E '^(__xstat|__lxstat|__fxstatat|__open_2|__open64_2|__openat_2|__realpath_chk|open64|stat64|fopen64|readdir64|canonicalize_file_name)$')
assert_eq "$glibc_only" "" "glibc-only names exported by the musl preload"
# A wrapper for a name this musl lacks must not call a NULL libc symbol: the ones with a
# system-call fallback (REAL_OPT) are listed here; a new one needs the same.
extra=$(comm -23 <(defined "$ML") <(defined "$LIBC") | grep -vxE 'close_range|closefrom|execveat|renameat2|statx')
assert_eq "$extra" "" "wrappers of names musl's libc lacks, without a fallback"
echo ok
