# Sourced by tests that run an app in a real container: a Debian bookworm minbase root with
# python3-jinja2 and python3-matplotlib, built with debootstrap once and cached as a tarball
# under /var/cache/rwshim-tests/, keyed by the recipe below (change it and the key changes).
# image_bookworm_python: prints the tarball's path; returns 1 (saying why on stderr) when it
# cannot be built.
IMAGE_PACKAGES="python3-jinja2,python3-matplotlib,python3-yaml"
image_bookworm_python() {
  local key dir tar root
  key=$( { declare -f image_bookworm_python; echo "$IMAGE_PACKAGES"; } | sha256sum | cut -c1-16)
  dir=/var/cache/rwshim-tests/bookworm-python-$key
  tar=$dir/rootfs.tar
  [ -s "$tar" ] && { echo "$tar"; return 0; }
  command -v debootstrap >/dev/null || { echo "debootstrap not installed" >&2; return 1; }
  mkdir -p "$dir" || return 1
  root=$(mktemp -d "$dir/root.XXXXXX") || return 1
  if ! debootstrap --variant=minbase --include="$IMAGE_PACKAGES" bookworm "$root" \
       http://deb.debian.org/debian >"$dir/debootstrap.log" 2>&1; then
    echo "debootstrap failed (see $dir/debootstrap.log)" >&2; rm -rf "$root"; return 1
  fi
  # Smaller and reproducible enough: no apt lists or caches in the image.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar" || { rm -rf "$root" "$tar.tmp"; return 1; }
  rm -rf "$root"
  echo "$tar"
}
