# Debian's Go toolchain (the `go` command is a dynamically linked Go program: its file calls
# never go through libc) with HOME=/: the build cache cannot be made natively. Under `rwshim
# run` the supervisor serves `go` like a static program; the build works, the built program
# (only in the upper) runs and keeps its state next to itself, and a second build reuses the
# cache from the upper: `go build -x` runs no compile step.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv go
GO=$(readlink -f "$(command -v go)")
file -L "$GO" | grep -q "dynamically linked" || note "go here is statically linked (served the same way)"
mkdir -p "$T/src"
cat > "$T/src/go.mod" <<'MOD'
module hello

go 1.19
MOD
cat > "$T/src/main.go" <<'GO'
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	exe, _ := os.Executable()
	state := filepath.Join(filepath.Dir(exe), "runs.txt")
	n := 0
	if b, err := os.ReadFile(state); err == nil {
		n, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	n++
	if err := os.WriteFile(state, []byte(strconv.Itoa(n)+"\n"), 0o644); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("runs", n)
}
GO
root_tree "$T/src"
before=$(tree_digest "$T/src")
USER_HOME=/
G() { (cd "$T/src" && as_user env HOME=/ "$@"); }
out=$( (cd "$T/src" && as_user_native env HOME=/ go build -o hello .) 2>&1) && fail "native go build should fail: $out"
assert_contains "$out" "failed to initialize build cache at /.cache/go-build"
up="$T/up"; user_dir "$up"
out=$(G "$RW" run -v --upper "$up/u" -- go build -x -o hello . 2>&1) || fail "go build under rwshim: $out"
assert_contains "$out" "/compile " "the first build compiles"
assert_contains "$out" "redirected mkdir /.cache"
assert_not_contains "$out" "nothing was redirected"
[ -x "$up/u/fs$T/src/hello" ] || fail "the built program is not in the upper"
[ -e "$T/src/hello" ] && fail "the build wrote into the root-owned tree"
# The built program (a static Go program only the upper holds) as CMD, then from a shell.
out=$(G "$RW" run --upper "$up/u" -- ./hello 2>&1) || fail "built program as CMD: $out"
assert_eq "$out" "runs 1"
out=$(G "$RW" run --upper "$up/u" -- sh -c ./hello 2>&1) || fail "built program from sh: $out"
assert_eq "$out" "runs 2"
# A second build compiles nothing: every action comes from the cache in the upper.
out=$(G "$RW" run --upper "$up/u" -- go build -x -o hello . 2>&1) || fail "second go build: $out"
assert_not_contains "$out" "/compile " "the second build ran the compiler"
assert_not_contains "$out" "/link " "the second build ran the linker"
out=$(G "$RW" run --upper "$up/u" -- ./hello 2>&1)
assert_eq "$out" "runs 3" "the state was lost by the second build"
assert_eq "$(tree_digest "$T/src")" "$before" "the root-owned tree was modified"
echo ok
