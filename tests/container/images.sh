#!/bin/bash
# Builds the container images the container_* tests run, locally and without a registry, and
# caches them (rootfs tarballs under $RWSHIM_IMAGE_CACHE, images in podman's store) so later runs
# on the same machine only look them up. A clean machine builds them from nothing (debootstrap
# needs the Debian mirror). Usage: images.sh debian|musl  -> prints the image name.
#   debian: Debian bookworm minbase + python3-jinja2, nothing of rwshim's build dependencies.
#   musl:   ld-musl, a musl-linked program (tests/container/musl_counter.c), busybox-static as
#           /bin/sh and its applets; no glibc at all.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${RWSHIM_IMAGE_CACHE:-/var/cache/rwshim-tests}
mirror=${RWSHIM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
pod() { podman --runtime runc --cgroup-manager cgroupfs "$@"; }

# Cache keys: the Debian root changes only with what it is made of (change debian_spec when
# changing how debian() makes it); the musl image with this script or its program.
debian_spec="bookworm minbase python3-jinja2"
debian_key=$(echo "$debian_spec" | sha256sum | cut -c1-12)
musl_key=$(cat "$here/images.sh" "$here/musl_counter.c" | sha256sum | cut -c1-12)

import_tar() { # tarball image
  pod image exists "$2" || pod import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' "$1" "$2" >/dev/null
}

debian() {
  local img=localhost/rwshim-test/debian-minbase:$debian_key dir=$cache/release-debian-$debian_key
  pod image exists "$img" && { echo "$img"; return; }
  if [ ! -s "$dir/rootfs.tar" ]; then
    command -v debootstrap >/dev/null || { echo "debootstrap not installed" >&2; return 1; }
    rm -rf "$dir"; mkdir -p "$dir"
    debootstrap --variant=minbase --include=python3-jinja2 bookworm "$dir/root" "$mirror" \
      >"$dir/debootstrap.log" 2>&1 || { tail -n 5 "$dir/debootstrap.log" >&2; return 1; }
    rm -rf "$dir/root/var/cache/apt/archives"/*.deb "$dir/root/var/lib/apt/lists"/*
    tar -C "$dir/root" -cf "$dir/rootfs.tar.tmp" . && mv "$dir/rootfs.tar.tmp" "$dir/rootfs.tar"
    rm -rf "$dir/root"
  fi
  import_tar "$dir/rootfs.tar" "$img"
  echo "$img"
}

musl() {
  local img=localhost/rwshim-test/musl-only:$musl_key dir=$cache/release-musl-$musl_key ldso
  pod image exists "$img" && { echo "$img"; return; }
  command -v musl-gcc >/dev/null || { echo "musl-gcc not installed (musl-tools)" >&2; return 1; }
  ldso=$(ls /usr/lib/musl/lib/ld-musl-*.so.1 /lib/ld-musl-*.so.1 2>/dev/null | head -n 1) || true
  [ -n "$ldso" ] || ldso=/usr/lib/x86_64-linux-musl/libc.so
  [ -e "$ldso" ] || { echo "no musl dynamic loader found" >&2; return 1; }
  file -L /bin/busybox | grep -q 'statically linked' || { echo "busybox-static not installed" >&2; return 1; }
  rm -rf "$dir"; mkdir -p "$dir/root"/{bin,lib,usr/bin,etc,tmp,var/lib/app,proc,dev,sys}
  local r=$dir/root
  cp -L "$ldso" "$r/lib/ld-musl-x86_64.so.1"
  musl-gcc -std=c17 -O2 -Wall -Wextra -Werror -o "$r/usr/bin/musl-counter" "$here/musl_counter.c"
  cp /bin/busybox "$r/bin/busybox"
  for a in $("$r/bin/busybox" --list); do [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$r/etc/passwd"
  chmod 1777 "$r/tmp"
  tar -C "$r" -cf "$dir/rootfs.tar" .
  rm -rf "$r"
  import_tar "$dir/rootfs.tar" "$img"
  echo "$img"
}

# One builder at a time per machine: concurrent test runs share the cache and podman's store.
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
case ${1:-} in
  debian) debian ;;
  musl) musl ;;
  *) echo "usage: $0 debian|musl" >&2; exit 2 ;;
esac
