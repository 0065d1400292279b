# trace and check of a cgo-built (dynamically linked) Go program writing into its root-owned
# install dir. It has an ELF interpreter and carries the preload in its environment, yet the
# preload sees none of its calls (Go uses raw syscalls): both used to report "0 refused" and
# check's gate passed. Now it is classified as Go and followed by the backend for static
# programs: the refusal is reported, check --suggest names the dir, and a static Go program
# behaves the same.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv go gcc
mkdir -p "$T/build" "$T/app"
printf 'module st\n\ngo 1.19\n' > "$T/build/go.mod"
cat > "$T/build/main.go" <<'GO'
package main

// static int one(void) { return 1; }
import "C"

import (
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	exe, _ := os.Executable()
	if err := os.WriteFile(filepath.Join(filepath.Dir(exe), "state.json"), []byte("{}\n"), 0o644); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("saved", int(C.one()))
}
GO
B() { (cd "$T/build" && HOME="$T/build" GOCACHE="$T/build/.cache" "$@"); }
B env CGO_ENABLED=1 go build -o "$T/app/cgo" . || fail "cannot build the cgo program"
sed -i '/import "C"/d; /static int one/d; s/int(C.one())/1/' "$T/build/main.go"
B env CGO_ENABLED=0 go build -o "$T/app/static" . || fail "cannot build the static Go program"
file "$T/app/cgo" | grep -q "dynamically linked" || fail "the cgo program is not dynamically linked"
file "$T/app/static" | grep -q "statically linked" || fail "the pure Go program is not statically linked"
root_tree "$T/app"
for prog in cgo static; do
  out=$(as_user_native "$T/app/$prog" 2>&1) && fail "native $prog should be denied: $out"
  assert_contains "$out" "permission denied"
  out=$(as_user "$RW" trace -- "$T/app/$prog" 2>&1)
  assert_contains "$out" "1 refused" "trace of the $prog Go program"
  assert_contains "$out" "$prog: $T/app/ (EACCES"
  assert_contains "$out" "openat: state.json"
  out=$(as_user "$RW" check --suggest -- "$T/app/$prog" 2>&1)
  assert_contains "$out" "1 refused" "check of the $prog Go program"
  assert_contains "$out" "rwshim check --writable $T/app -- ..."
done
echo ok
