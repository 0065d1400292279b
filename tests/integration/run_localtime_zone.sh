# An entrypoint that sets the time zone (ln -sf /usr/share/zoneinfo/X /etc/localtime): natively
# refused; under `run` the link lands in the upper and date, Python and static musl and Go
# programs print the new zone. A TZ of the program's own wins; a zone changed again later in
# the run is what later processes see.
. "$(dirname "$0")/../lib.sh"
. "$RWSHIM_SRC/tests/nss_lib.sh"
need_root; need_cmd setpriv date python3
[ -f /usr/share/zoneinfo/Asia/Tokyo ] && [ -f /usr/share/zoneinfo/America/New_York ] || skip "tzdata not installed"
before=$(readlink /etc/localtime || sha256sum /etc/localtime)
native=$(as_user_native date +%Z)
[ "$native" != JST ] || skip "this host's zone is already Tokyo"
out=$(as_user_native ln -sf /usr/share/zoneinfo/Asia/Tokyo /etc/localtime 2>&1) && fail "native ln should be refused"
assert_contains "$out" "Permission denied"

up="$T/up"; user_dir "$up"
R() { as_user "$RW" run --upper "$up/u" -- "$@"; }
R ln -sf /usr/share/zoneinfo/Asia/Tokyo /etc/localtime || fail "ln under run failed"
assert_eq "$(readlink /etc/localtime || sha256sum /etc/localtime)" "$before" "the image's /etc/localtime changed"
assert_eq "$(R date +%Z)" "JST"
assert_eq "$(R "$PY" -c 'import time; print(time.tzname[0], time.strftime("%z"))')" "JST +0900"
# TZ names the zone file, so libraries that derive the zone's name from it see Asia/Tokyo.
assert_eq "$(R sh -c 'echo $TZ')" ":/usr/share/zoneinfo/Asia/Tokyo"
assert_eq "$(R env TZ=UTC date +%Z)" "UTC"
# Changed again inside one run: the processes started after the change see the new zone.
out=$(R sh -c 'date +%Z; ln -sf /usr/share/zoneinfo/America/New_York /etc/localtime; date +%z | grep -qE "^-0[45]00$" && echo new-york')
assert_eq "$out" "$(printf 'JST\nnew-york')"
R ln -sf /usr/share/zoneinfo/Asia/Tokyo /etc/localtime
if musl_probe; then
  for probe in $(musl_probes); do
    assert_contains "$(R "$probe")" "zone JST"
    assert_contains "$(R env -u TZ "$probe")" "zone JST"   # the static one reads /etc/localtime itself
  done
else
  note "no musl-gcc: skipped the musl program"
fi
if go_probe; then
  assert_contains "$(R env -u TZ "$T/go/probe")" "zone JST"
else
  note "no go: skipped the pure-Go program"
fi
echo ok
