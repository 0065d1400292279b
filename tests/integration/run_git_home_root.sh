# git as a uid with no passwd entry and HOME=/: `git config --global` writes /.gitconfig
# through a lock file and a rename. Natively refused; under rwshim it works and persists.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd git setpriv
USER_HOME=/
out=$(as_user_native git config --global user.name "Rw Shim" 2>&1) && fail "native git config should fail"
assert_contains "$out" "Permission denied"
up="$T/up"; user_dir "$up"
as_user "$RW" run --upper "$up/u" -- git config --global user.name "Rw Shim" || fail "git config under rwshim failed"
name=$(as_user "$RW" run --upper "$up/u" -- git config --global user.name) || fail "reading back failed"
assert_eq "$name" "Rw Shim"
[ -e /.gitconfig ] && fail "/.gitconfig created on the real filesystem"
[ -e /.gitconfig.lock ] && fail "lock file leaked to the real filesystem"
# a repository in a root-owned directory: init, add, commit, status (git refuses a worktree
# owned by another user unless told it is safe, as it would natively)
mkdir -p "$T/srv/repo" && echo hello > "$T/srv/repo/file.txt" && root_tree "$T/srv"
as_user "$RW" run --upper "$up/u" -- sh -c "cd '$T/srv/repo' && git config --global safe.directory '*' && git init -q && git add file.txt && \
  git -c user.email=a@b commit -qm first && git status --porcelain && git log --oneline" > "$T/out" 2>&1 \
  || fail "git repo in root-owned dir failed: $(cat "$T/out")"
assert_contains "$(cat "$T/out")" "first"
[ -e "$T/srv/repo/.git" ] && fail ".git created in the real root-owned dir"
echo ok
