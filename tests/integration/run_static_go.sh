# A Go program (statically linked, raw syscalls from many threads, no libc): kubectl writes
# $HOME/.kube/config. With HOME root-owned it fails natively; under `rwshim run` the
# supervisor's seccomp backend redirects its mkdir, temp file, rename and lock file.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd setpriv kubectl
KUBECTL=$(command -v kubectl)
file -L "$KUBECTL" | grep -q "statically linked" || skip "kubectl here is dynamically linked"
mkdir -p "$T/home"; root_tree "$T/home"
before=$(tree_digest "$T/home")
K() { as_user env HOME="$T/home" "$@"; }
out=$(as_user_native env HOME="$T/home" "$KUBECTL" config set-cluster kb --server=https://127.0.0.1:1 2>&1) &&
  fail "native kubectl should be denied: $out"
assert_contains "$out" "permission denied"
up="$T/up"; user_dir "$up"
# As CMD itself.
out=$(K "$RW" run --upper "$up/u" -- "$KUBECTL" config set-cluster kb --server=https://127.0.0.1:1 2>&1) ||
  fail "kubectl under rwshim: $out"
assert_contains "$out" 'Cluster "kb" set.'
# Started by a dynamic shell (handed over by the preload), reading what the first run wrote.
out=$(K "$RW" run --upper "$up/u" -- sh -c "$KUBECTL config set-context kc --cluster=kb >/dev/null &&
  $KUBECTL config view -o jsonpath='{.clusters[0].cluster.server} {.contexts[0].context.cluster}'" 2>&1) ||
  fail "kubectl via sh under rwshim: $out"
assert_eq "$out" "https://127.0.0.1:1 kb"
assert_eq "$(tree_digest "$T/home")" "$before" "the root-owned HOME was modified"
[ -f "$up/u/fs$T/home/.kube/config" ] || fail "config not in the upper"
# terraform, where installed (not a Debian package): its state file, lock file and checkpoint
# dir in a root-owned working dir and HOME.
TF=$(command -v terraform || true)
if [ -n "$TF" ] && file -L "$TF" | grep -q "statically linked"; then
  mkdir -p "$T/tf"; echo 'output "x" { value = "hello" }' > "$T/tf/main.tf"; root_tree "$T/tf"
  out=$(cd "$T/tf" && as_user_native env HOME="$T/home" CHECKPOINT_DISABLE=1 "$TF" apply -auto-approve -no-color 2>&1) &&
    fail "native terraform should fail in a root-owned dir: $out"
  out=$(cd "$T/tf" && K CHECKPOINT_DISABLE=1 "$RW" run --upper "$up/u" -- "$TF" apply -auto-approve -no-color 2>&1) ||
    fail "terraform under rwshim: $out"
  assert_contains "$out" 'x = "hello"'
  [ -f "$up/u/fs$T/tf/terraform.tfstate" ] || fail "terraform state not in the upper"
else
  note "terraform not installed: skipped that part"
fi
echo ok
