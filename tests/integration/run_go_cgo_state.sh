# A cgo-built Go program (dynamically linked: it has an ELF interpreter and loads the preload,
# yet Go makes its file calls with raw syscalls) keeping state in its root-owned install dir.
# Natively it cannot write there; under `rwshim run` the supervisor serves it (the preload is
# inert in it), as CMD and started from a shell, and each run reads back the last one's state.
# It also starts a glibc program (sh), which is the preload's again: nothing is counted twice.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv go gcc
mkdir -p "$T/build" "$T/app"
cat > "$T/build/go.mod" <<'MOD'
module svc

go 1.19
MOD
cat > "$T/build/main.go" <<'GO'
package main

// static int twice(int x) { return 2 * x; }
import "C"

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	exe, _ := os.Executable()
	dir := filepath.Dir(exe)
	state := filepath.Join(dir, "state", "runs.txt")
	n := 0
	if b, err := os.ReadFile(state); err == nil {
		n, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	n += int(C.twice(1)) / 2
	if err := os.MkdirAll(filepath.Dir(state), 0o755); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(state, []byte(strconv.Itoa(n)+"\n"), 0o644); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	if len(os.Args) > 1 {
		// A glibc child writing next to the state: the preload serves it.
		out, err := exec.Command("/bin/sh", "-c", "echo child > "+dir+"/state/child.txt && cat "+dir+"/state/child.txt").CombinedOutput()
		fmt.Print(string(out))
		if err != nil {
			os.Exit(2)
		}
	}
	fmt.Println("runs", n)
}
GO
(cd "$T/build" && HOME="$T/build" GOCACHE="$T/build/.cache" GOFLAGS=-mod=mod CGO_ENABLED=1 go build -o "$T/app/svc" .) ||
  fail "cannot build the cgo program"
file "$T/app/svc" | grep -q "dynamically linked" || fail "the cgo program is not dynamically linked"
root_tree "$T/app"
before=$(tree_digest "$T/app")
out=$(as_user_native "$T/app/svc" 2>&1) && fail "natively the state dir should be denied: $out"
assert_contains "$out" "permission denied"
up="$T/up"; user_dir "$up"
out=$(as_user "$RW" run -v --upper "$up/u" -- "$T/app/svc" 2>&1) || fail "cgo program as CMD: $out"
assert_contains "$out" "runs 1"
assert_contains "$out" "redirected mkdir $T/app/state"
out=$(as_user "$RW" run --upper "$up/u" -- sh -c "$T/app/svc" 2>&1) || fail "cgo program from sh: $out"
assert_eq "$out" "runs 2"
# It starts a glibc shell that writes beside it: served once (one redirected open, by the
# preload in sh, not also by the supervisor).
out=$(as_user "$RW" run -v --upper "$up/u" -- "$T/app/svc" child 2>&1) || fail "cgo program with a child: $out"
assert_contains "$out" "runs 3"
assert_contains "$out" "child"
assert_eq "$(grep -c "redirected open $T/app/state/child.txt" <<<"$out")" 1 "the child's write is reported once"
assert_not_contains "$out" "(repeated)" "a call was counted twice"
assert_eq "$(cat "$up/u/fs$T/app/state/runs.txt")" 3
assert_eq "$(tree_digest "$T/app")" "$before" "the root-owned install dir was modified"
echo ok
