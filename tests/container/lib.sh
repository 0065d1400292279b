# Shared by the container_* tests (source after tests/lib.sh): runs rwshim from the `make dist`
# tree, mounted read-only, in images built locally by tests/container/images.sh, with podman as
# issue 15 runs it: runc, cgroupfs, explicit ulimits, an unprivileged uid, read-only root, no
# capabilities, no-new-privileges. Skips (77) with the reason when the engine cannot run here.
CT_DIR=$RWSHIM_SRC/tests/container
CT_OPTS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network none
         --user "$TEST_UID:$TEST_UID" --read-only --cap-drop=ALL --security-opt no-new-privileges)
pod() { podman --runtime runc --cgroup-manager cgroupfs "$@"; }

# ct_need_engine: podman and runc present, the build static (a sanitized rwshim is dynamic:
# ASan cannot be linked statically, and the images have no libasan), a container starts.
ct_need_engine() {
  need_root; need_cmd podman runc
  [ "${RWSHIM_SANITIZED:-0}" = 1 ] && skip "the sanitized rwshim is dynamic (ASan cannot be static); container tests need the release build"
  file -L "$RW" | grep -q 'static-pie linked\|statically linked' || skip "rwshim is not linked statically (built with CLI_LINK=?)"
  local img out
  img=$(ct_image musl) || skip "cannot build the musl test image: $img"
  out=$(pod run --rm "${CT_OPTS[@]}" "$img" /bin/true 2>&1) ||
    skip "podman cannot run a container here: $(tail -n 1 <<<"$out")"
}

# ct_image debian|musl: the image name (built and cached on first use).
ct_image() { "$CT_DIR/images.sh" "$1" 2>&1 | tail -n 1; return "${PIPESTATUS[0]}"; }

# ct_dist: runs `make dist` for $RWSHIM_BUILD, checks the .sha256 and unpacks the tarball into
# $T/prefix/<arbitrary>/ (it must work from any prefix). Sets DIST to that tree.
ct_dist() {
  local out tarball
  out=$(make -s -C "$RWSHIM_SRC" BUILD="$RWSHIM_BUILD" dist 2>&1) || fail "make dist failed: $out"
  tarball=$(tail -n 1 <<<"$out")
  [ -f "$tarball" ] || tarball=$RWSHIM_SRC/$tarball
  [ -f "$tarball" ] || fail "make dist did not name its tarball: $out"
  (cd "$(dirname "$tarball")" && sha256sum -c --quiet "$(basename "$tarball").sha256") ||
    fail "the .sha256 does not match $tarball"
  mkdir -p "$T/prefix/somewhere"
  tar -C "$T/prefix/somewhere" -xzf "$tarball" || fail "cannot unpack $tarball"
  DIST=$(echo "$T/prefix/somewhere"/rwshim-*-linux)
  [ -x "$DIST/bin/rwshim" ] || fail "no bin/rwshim in $tarball"
  chmod -R a+rX "$T/prefix"
}

# ct_run IMAGE [podman run options] -- CMD...: one container with the dist tree at /opt/rwshim.
ct_run() {
  local img=$1; shift
  local opts=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  pod run --rm "${CT_OPTS[@]}" -v "$DIST:/opt/rwshim:ro" "${opts[@]}" "$img" "$@"
}

# ct_state DIR: a host dir the test user owns, for --upper (a volume in a real deployment).
ct_state() { mkdir -p "$1" && chown "$TEST_UID:$TEST_UID" "$1" && chmod 0700 "$1"; }

# ct_doc_block LANG: the first ```LANG block of docs/deploy.md (the docs show what the tests run).
ct_doc_block() {
  awk -v lang="$1" '$0 == "```" lang { on = 1; next } on && $0 == "```" { exit } on' "$RWSHIM_SRC/docs/deploy.md"
}

# ct_build_app BASE TAG: builds the docs' Dockerfile on BASE with incident 1's app; prints TAG.
ct_build_app() {
  local ctx=$T/ctx out
  mkdir -p "$ctx"
  cp -r "$DIST" "$ctx/"
  incident1_app "$ctx/app"
  ct_doc_block dockerfile | sed -e "1s|^FROM .*|FROM $1|" \
      -e "s|COPY rwshim-[^ ]*-linux/|COPY $(basename "$DIST")/|" > "$ctx/Containerfile"
  grep -q '^ENTRYPOINT \["rwshim", "run"' "$ctx/Containerfile" || fail "no Dockerfile in docs/deploy.md"
  root_tree "$ctx"
  out=$(pod build -q -t "$2" "$ctx" 2>&1) || fail "podman build failed: $out"
  echo "$2"
}
