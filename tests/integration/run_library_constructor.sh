#!/usr/bin/env bash
# A library constructor keeping state in a root-owned dir (tests/helpers/lib/ctor_writer.c):
# it runs before main, and with glibc before the preload's own constructor, so the preload
# must read its configuration at the first call made to it. glibc and musl builds.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv
progs=("$T/helpers/ctor_prog")
if [ ! -x "$T/helpers/musl_ctor_prog" ] || [ ! -f "$T/lib/rwshim/librwshim-musl.so" ]; then
  note "$(musl_missing): the musl build is not tested"
elif [ "${RWSHIM_SANITIZED:-0}" = 1 ]; then
  note "sanitized run: musl programs cannot load the ASan runtime (glibc's): the musl build is not tested"
else
  progs+=("$T/helpers/musl_ctor_prog")
fi
mkdir -p "$T/app"; root_tree "$T/app"
before=$(tree_digest "$T/app")
export RWSHIM_UPPER=$T/upper
user_dir "$RWSHIM_UPPER"; chmod 0700 "$RWSHIM_UPPER"
USER_ENV=(RWSHIM_UPPER="$RWSHIM_UPPER" CTOR_DIR="$T/app")
for prog in "${progs[@]}"; do
  name=$(basename "$prog")
  rm -rf "$RWSHIM_UPPER"/* "$RWSHIM_UPPER"/.rwshim

  note "[$name] native: the constructor cannot write"
  out=$(as_user_native "$prog" 2>&1); st=$?
  assert_eq "$st" 1 "[$name] native status ($out)"
  assert_contains "$out" "ctor: mkdir $T/app/ctor-dir: Permission denied"

  note "[$name] run: the constructor's mkdir and fopen are redirected, main reads them back"
  out=$(as_user "$RW" run -v -- "$prog" 2>&1); st=$?
  assert_eq "$st" 0 "[$name] under run ($out)"
  assert_contains "$out" "written by a constructor"
  assert_contains "$out" "redirected mkdir $T/app/ctor-dir"
  assert_eq "$(tree_digest "$T/app")" "$before" "[$name] the root-owned dir changed"
done
echo ok
