#!/usr/bin/env bash
# Every backend under the engines' seccomp profiles as they are: Docker's default rules
# (tests/container/docker_rules.py applies them to the installed profile's list of calls:
# unlisted -> EPERM, io_uring not listed, clone3 -> ENOSYS, unshare/clone namespaces only with
# CAP_SYS_ADMIN, pidfd_getfd only with CAP_SYS_PTRACE) and podman's installed profile, each
# given as --security-opt seccomp=FILE. In the Debian image, read-only, as an arbitrary uid:
# the glibc preload and the seccomp supervisor (static busybox) redirect a denied write into
# /etc, and the musl preload a musl program's (musl-only image); trace reports both kinds; check's Landlock backend works; the userns backend, which
# Docker's rules forbid, says so in one line (exit 125).
. "$(dirname "$0")/../lib.sh"
. "$RWSHIM_SRC/tests/container/lib.sh"
ct_need_engine
need_cmd python3
installed=/usr/share/containers/seccomp.json
[ -f "$installed" ] || skip "no $installed (containers-common) to take the list of system calls from"
img=$(ct_image debian) || fail "cannot build the Debian image: $img"
musl_img=$(ct_image musl) || fail "cannot build the musl image: $musl_img"
ct_dist
python3 "$CT_DIR/docker_rules.py" "$installed" "$T/docker.json" || fail "cannot write Docker's rules"
RW_IN=/opt/rwshim/bin/rwshim
BB=(-v /bin/busybox:/usr/local/bin/busybox:ro)

# The errno of io_uring_setup (an unlisted call) and of unshare(CLONE_NEWUSER) in the container.
probe='import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
def err(*a):
    libc.syscall(*a)
    return os.strerror(ctypes.get_errno())
print("io_uring_setup:", err(425, 1, None))
print("unshare:", err(272, 0x10000000))'

for profile in docker podman; do
  case $profile in docker) file=$T/docker.json; enosys="Operation not permitted" ;;
                   podman) file=$installed; enosys="Function not implemented" ;; esac
  ct_state "$T/state-$profile"
  SEC=(--security-opt "seccomp=$file" -v "$T/state-$profile:/state" "${BB[@]}")
  RUN=($RW_IN run --upper /state --)

  note "$profile: the profile is in force"
  out=$(ct_run "$img" "${SEC[@]}" -- python3 -c "$probe" 2>&1)
  assert_contains "$out" "io_uring_setup: $enosys"
  [ $profile = docker ] && assert_contains "$out" "unshare: Operation not permitted"

  note "$profile: native writes into /etc fail"
  out=$(ct_run "$img" "${SEC[@]}" -- sh -c 'echo x > /etc/glibc' 2>&1) && fail "native write should fail"
  assert_contains "$out" "Read-only file system"

  note "$profile: the glibc preload and the seccomp supervisor redirect them"
  out=$(ct_run "$img" "${SEC[@]}" -- "${RUN[@]}" sh -c 'echo glibc > /etc/glibc && cat /etc/glibc' 2>&1) ||
    fail "$profile: glibc program under run failed: $out"
  assert_eq "$out" glibc "$profile: glibc preload"
  out=$(ct_run "$img" "${SEC[@]}" -- "${RUN[@]}" busybox sh -c 'echo static > /etc/static && busybox cat /etc/static' 2>&1) ||
    fail "$profile: static program under run failed: $out"
  assert_eq "$out" static "$profile: seccomp supervisor"
  assert_eq "$(cat "$T/state-$profile/fs/etc/static")" static "$profile: the static write is in the upper"

  note "$profile: trace reports the dynamic and the static program's refused writes"
  for prog in "sh -c" "busybox sh -c"; do
    # shellcheck disable=SC2086
    out=$(ct_run "$img" "${SEC[@]}" -- $RW_IN trace -- $prog 'echo x > /etc/traced || exit 7' 2>&1); st=$?
    assert_eq "$st" 7 "$profile: trace of '$prog' returns the command's status"
    assert_contains "$out" "/etc/ (EROFS; 1 op"
  done

  note "$profile: check with Landlock (dynamic and static)"
  for prog in "sh -c" "busybox sh -c"; do
    # shellcheck disable=SC2086
    out=$(ct_run "$img" "${SEC[@]}" -- $RW_IN check -- $prog 'echo x > /tmp/x; true' 2>&1); st=$?
    assert_eq "$st" 3 "$profile: check of '$prog': $out"
    assert_contains "$out" "1 write outside the writable set"
  done

  note "$profile: check --backend userns"
  out=$(ct_run "$img" "${SEC[@]}" -- $RW_IN check --backend userns -- sh -c 'echo x > /tmp/x; true' 2>&1); st=$?
  if [ $profile = docker ]; then
    assert_eq "$st" 125 "userns under Docker's rules: $out"
    assert_eq "$(grep -vc '^hint:' <<<"$out")" 1 "one line says what it lacks: $out"
    assert_contains "$out" "userns backend unavailable: Operation not permitted"
  elif [ "$st" = 125 ] && ! ct_run "$img" "${SEC[@]}" -- unshare -U true >/dev/null 2>&1; then
    # No user namespace in this container even natively: the engine itself runs in a chroot
    # (the kernel refuses CLONE_NEWUSER there), not the profile. The refusal must still be one line.
    note "$profile: the container has no user namespaces at all (engine in a chroot?): refused in one line"
    assert_contains "$out" "userns backend unavailable"
  else
    assert_eq "$st" 3 "userns under podman's profile: $out"
  fi

  note "$profile: the musl preload, in the musl-only image"
  if [ -f "$DIST/lib/rwshim/librwshim-musl.so" ]; then
    for n in 1 2; do
      out=$(ct_run "$musl_img" "${SEC[@]}" -- "${RUN[@]}" musl-counter 2>&1) || fail "$profile: musl program under run failed: $out"
      assert_eq "$out" "count $n" "$profile: musl preload, run $n"
    done
  else
    note "$profile: skipped: no librwshim-musl.so in the dist tree"
  fi
done
echo ok
