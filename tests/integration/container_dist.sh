#!/usr/bin/env bash
# make dist: the tarball and its .sha256; what the tree holds; rwshim is self-contained (no
# PT_INTERP, no DT_NEEDED) and the preload links only the C library; the tree works from any
# prefix, found relative to the executable (run as an unprivileged user on the host: natively a
# root-owned dir refuses the write, under the unpacked tree's rwshim it lands in the upper),
# also after the tree is moved; the bash completion loads and completes.
. "$(dirname "$0")/../lib.sh"
. "$RWSHIM_SRC/tests/container/lib.sh"
need_root; need_cmd readelf setpriv
[ "${RWSHIM_SANITIZED:-0}" = 1 ] && skip "the sanitized rwshim is dynamic (ASan cannot be static); make dist ships the release build"
ct_dist
name=$(basename "$DIST")
[[ $name =~ ^rwshim-[0-9][0-9.]*-x86_64-linux$ ]] || fail "tree name: $name"

note "the tree holds the executable, the preloads, the man page and the completion"
for f in bin/rwshim lib/rwshim/librwshim.so share/man/man1/rwshim.1 \
         share/bash-completion/completions/rwshim share/rwshim/python/sitecustomize.py; do
  [ -f "$DIST/$f" ] || fail "missing $f"
done
[ -f "$RWSHIM_BUILD/librwshim-musl.so" ] && { [ -f "$DIST/lib/rwshim/librwshim-musl.so" ] || fail "librwshim-musl.so built but not shipped"; }
[ ! -e "$DIST/share/rwshim/kb" ] || fail "the knowledge base is built in: no kb/ in the tree"

note "rwshim is self-contained; the preloads need only their C library"
readelf -lW "$DIST/bin/rwshim" | grep -q 'program interpreter' && fail "bin/rwshim has a PT_INTERP"
[ -z "$(readelf -dW "$DIST/bin/rwshim" | grep NEEDED)" ] || fail "bin/rwshim needs: $(readelf -dW "$DIST/bin/rwshim" | grep NEEDED)"
out=$(ldd "$DIST/bin/rwshim" 2>&1)
assert_contains "$out" "statically linked"   # ldd's wording for static-pie ("not a dynamic executable" for -static)
assert_eq "$(readelf -dW "$DIST/lib/rwshim/librwshim.so" | grep NEEDED | grep -o '\[.*\]' | tr '\n' ' ')" "[libc.so.6] " "librwshim.so needs"
if [ -f "$DIST/lib/rwshim/librwshim-musl.so" ]; then
  assert_eq "$(readelf -dW "$DIST/lib/rwshim/librwshim-musl.so" | grep NEEDED | grep -o '\[.*\]' | tr '\n' ' ')" "[libc.so] " "librwshim-musl.so needs"
fi

note "from any prefix: the unpacked tree serves an unprivileged user"
mkdir -p "$T/site"; echo lower > "$T/site/conf"; root_tree "$T/site"
ct_state "$T/state"
out=$(as_user_native sh -c "echo new > $T/site/conf" 2>&1) && fail "native write should fail"
assert_contains "$out" "Permission denied"
for prefix in "$T/prefix/somewhere" "$T/elsewhere/deeper/opt"; do
  if [ "$prefix" != "$T/prefix/somewhere" ]; then
    mkdir -p "$prefix"; mv "$DIST" "$prefix/"; DIST=$prefix/$name; chmod -R a+rX "$T/elsewhere"
  fi
  out=$(as_user "$DIST/bin/rwshim" run --upper "$T/state" -- sh -c "echo '$prefix' > $T/site/conf; cat $T/site/conf" 2>&1) ||
    fail "run from $prefix failed: $out"
  assert_eq "$out" "$prefix" "run from $prefix"
  out=$(as_user "$DIST/bin/rwshim" trace -- sh -c "echo x > $T/site/conf" 2>&1)
  assert_contains "$out" "$T/site/ (EACCES"
done
assert_eq "$(cat "$T/site/conf")" lower "the root-owned file is untouched"

note "the completion completes subcommands and options"
out=$(bash -c '. "$1"; COMP_WORDS=(rwshim ch); COMP_CWORD=1; _rwshim; echo "${COMPREPLY[*]}";
               COMP_WORDS=(rwshim doctor --format k); COMP_CWORD=3; _rwshim; echo "${COMPREPLY[*]}";
               COMP_WORDS=(rwshim run --me); COMP_CWORD=2; _rwshim; echo "${COMPREPLY[*]}"' _ \
      "$DIST/share/bash-completion/completions/rwshim")
assert_eq "$(tr '\n' '|' <<<"$out")" "check|kubernetes|--memory|" "completions"

note "the tarball is reproducible"
sum1=$(cut -d' ' -f1 "$RWSHIM_BUILD/dist/$name.tar.gz.sha256")
ct_dist
assert_eq "$(cut -d' ' -f1 "$RWSHIM_BUILD/dist/$name.tar.gz.sha256")" "$sum1" "a second make dist"
echo ok
