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
  # Smaller, so that importing it stays quick: no apt caches, docs, headers or compilers, and
  # none of the scientific packages matplotlib's dependencies pull in but never import.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc \
         "$root"/usr/share/man "$root"/usr/share/locale "$root"/usr/include "$root"/usr/lib/gcc \
         "$root"/usr/lib/python3/dist-packages/sympy "$root"/usr/lib/python3/dist-packages/scipy
  chroot "$root" python3 -c 'import jinja2, matplotlib.pyplot' >>"$dir/debootstrap.log" 2>&1 ||
    { echo "the image's python3 cannot import jinja2 and matplotlib (see $dir/debootstrap.log)" >&2; rm -rf "$root"; return 1; }
  tar -C "$root" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar" || { rm -rf "$root" "$tar.tmp"; return 1; }
  rm -rf "$root"
  echo "$tar"
}
