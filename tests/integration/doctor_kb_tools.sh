#!/usr/bin/env bash
# Knowledge-base entries proved against the real tools: each tool is made to write as the
# unprivileged test user; the file must appear where the entry's template says, must move
# where the entry's env var says, and rwshim must attribute the written path to that tool.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd python3 git gpg fc-cache npm sqlite3 script mktemp
as_user_native python3 -c 'import matplotlib, jinja2' 2>/dev/null || skip "python3-matplotlib and python3-jinja2 needed"

KB="$RWSHIM_SRC/data/kb"
H="$T/home"            # a writable HOME for the default runs
user_dir "$H"
user_dir "$T/moved"
proved=()

# kb_path TOOL ENV: the entry's templates of the paths moved by ENV, expanded for this run.
kb_path() {
  python3 - "$KB/$1.json" "$2" "$H" "$TEST_UID" <<'PY'
import json, sys
entry, env, home, uid = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
for p in entry["paths"]:
    if p.get("env") != env:
        continue
    t = p["template"]
    for k, v in [("{xdg_cache}", home + "/.cache"), ("{xdg_config}", home + "/.config"),
                 ("{xdg_data}", home + "/.local/share"), ("{xdg_state}", home + "/.local/state"),
                 ("{home}", home), ("{tmp}", "/tmp"), ("{uid}", uid)]:
        t = t.replace(k, v)
    print(t)
PY
}

# exists_glob PATTERN: true if PATTERN (may hold *) names an existing path.
exists_glob() { compgen -G "$1" >/dev/null; }

# The tools run natively (as_user_native): only rwshim is under test, and a sanitizer runtime
# preloaded into gpg or npm proves nothing about the knowledge base.
# attributed PATH TOOL: doctor --from, fed one write event on PATH, names TOOL.
attributed() {
  local ev="$T/ev.ndjson" got
  printf '{"ev":"fs","pid":1,"op":"open","path":"%s","flags":"O_WRONLY|O_CREAT","errno":null,"action":"ok","caller":null}\n' "$1" >"$ev"
  chmod a+r "$ev"
  got=$("$RW" doctor --from "$ev" --format json | python3 -c 'import json,sys; print(" ".join(t["tool"] for t in json.load(sys.stdin)["tools"]))')
  [ "$got" = "$2" ] || fail "rwshim attributes $1 to '$got', want '$2'"
}

# clean GLOB: removes what GLOB matches; refuses shared dirs themselves (never /tmp or HOME).
clean() {
  local f
  while IFS= read -r f; do
    case "$f" in ""|/|/tmp|/tmp/|/var/tmp|"$H"|"$H/") fail "refusing to remove $f";; esac
    rm -rf -- "$f"
  done < <(compgen -G "$1")
}

# prove TOOL ENV VALUE DEFAULT EXPECT CMD...: run CMD as the user with HOME=$H; DEFAULT (a glob)
# must appear, and be the KB template's path or lie under it. Then run it with ENV=VALUE:
# EXPECT (a glob) must appear and DEFAULT must not.
prove() {
  local tool=$1 env=$2 value=$3 default=$4 expect=$5; shift 5
  local tpl found named=; local -a tpls
  mapfile -t tpls < <(kb_path "$tool" "$env")
  [ ${#tpls[@]} -gt 0 ] || fail "$tool: no KB path is moved by $env"
  clean "$default"
  USER_HOME=$H as_user_native "$@" >/dev/null 2>&1 || fail "$tool: '$*' failed natively"
  found=$(compgen -G "$default" | head -n 1)
  [ -n "$found" ] || fail "$tool: '$*' wrote nothing at $default"
  # Unquoted $tpl: the template's wildcards are patterns here.
  for tpl in "${tpls[@]}"; do
    [[ $found == $tpl || $found == $tpl/* ]] && named=$tpl
  done
  [ -n "$named" ] || fail "$tool: the KB says ${tpls[*]}, the tool wrote $found"
  attributed "$found" "$tool"
  clean "$default"
  USER_ENV=("$env=$value")   # an array cannot be a command-prefix assignment
  USER_HOME=$H as_user_native "$@" >/dev/null 2>&1 || fail "$tool: '$*' failed with $env"
  USER_ENV=()
  exists_glob "$expect" || fail "$tool: with $env=$value nothing appeared at $expect"
  ! exists_glob "$default" || fail "$tool: with $env=$value it still wrote $default"
  clean "$default"
  proved+=("$tool")
  note "proved $tool: wrote $found (KB: $named), moved by $env"
}

# 1. CPython bytecode: __pycache__ beside the module, moved by PYTHONPYCACHEPREFIX.
mkdir -p "$T/src" && echo 'x = 1' >"$T/src/kbmod.py" && chown -R "$TEST_UID" "$T/src"
cd "$T/src"
# The template is a pattern (/*/__pycache__); prove it on this module's dir.
USER_HOME=$H as_user_native python3 -c 'import kbmod' || fail "python import failed"
[ -d "$T/src/__pycache__" ] || fail "python-bytecode: no __pycache__ beside the module"
attributed "$T/src/__pycache__/kbmod.cpython-311.pyc" python-bytecode
rm -rf "$T/src/__pycache__"
USER_ENV=(PYTHONPYCACHEPREFIX="$T/moved/pyc")
USER_HOME=$H as_user_native python3 -c 'import kbmod'
USER_ENV=()
exists_glob "$T/moved/pyc$T/src/kbmod.*.pyc" || fail "python-bytecode: PYTHONPYCACHEPREFIX did not move it"
[ ! -d "$T/src/__pycache__" ] || fail "python-bytecode: still wrote __pycache__"
proved+=(python-bytecode)
cd /

# 2-13: tools whose default path the KB computes from HOME, TMPDIR and the uid. Each default
# glob is specific to this uid or HOME, so nothing else in /tmp is touched.
mkdir -p "$T/moved/t1" "$T/moved/t2" "$T/moved/t3" && chown "$TEST_UID" "$T/moved"/t*
mark=kbtest$$
prove python-tempfile TMPDIR "$T/moved/t1" "/tmp/tmp*$mark" "$T/moved/t1/tmp*$mark" \
  python3 -c "import tempfile; tempfile.NamedTemporaryFile(suffix='$mark', delete=False)"
prove tmpdir TMPDIR "$T/moved/t2" "/tmp/kb$mark.*" "$T/moved/t2/kb$mark.*" mktemp --tmpdir "kb$mark.XXXXXX"
prove jinja2 TMPDIR "$T/moved/t3" "/tmp/_jinja2-cache-$TEST_UID" "$T/moved/t3/_jinja2-cache-$TEST_UID/*" \
  python3 -c 'import jinja2 as j
e = j.Environment(loader=j.DictLoader({"a": "{{ 1 + 1 }}"}), bytecode_cache=j.FileSystemBytecodeCache())
e.get_template("a").render()'
prove matplotlib MPLCONFIGDIR "$T/moved/mpl" "$H/.cache/matplotlib/fontlist-*.json" "$T/moved/mpl/fontlist-*.json" \
  python3 -c 'import matplotlib; matplotlib.use("Agg"); import matplotlib.font_manager'
prove git GIT_CONFIG_GLOBAL "$T/moved/gitconfig" "$H/.gitconfig" "$T/moved/gitconfig" \
  git config --global user.name kbtest
# gpg creates only its default home; a GNUPGHOME must exist (0700) beforehand.
install -d -m 0700 -o "$TEST_UID" "$T/moved/gnupg"
prove gnupg GNUPGHOME "$T/moved/gnupg" "$H/.gnupg/pubring.kbx" "$T/moved/gnupg/pubring.kbx" \
  gpg --batch --list-keys
prove fontconfig XDG_CACHE_HOME "$T/moved/xc" "$H/.cache/fontconfig/*.cache-*" \
  "$T/moved/xc/fontconfig/*.cache-*" fc-cache -f
prove npm npm_config_cache "$T/moved/npm" "$H/.npm/_cacache" "$T/moved/npm/_cacache" npm cache verify
# kubectl is optional (kubernetes-client in Debian): the others already make ten.
command -v kubectl >/dev/null && prove kubectl KUBECONFIG "$T/moved/kubeconfig" "$H/.kube/config" "$T/moved/kubeconfig" \
  kubectl config set-cluster kbtest --server=https://127.0.0.1:1
prove bash HISTFILE "$T/moved/bash_history" "$H/.bash_history" "$T/moved/bash_history" \
  bash -c 'echo "echo kbtest" | bash -i'
# sqlite3 keeps history only for interactive sessions: give it a terminal with script(1).
prove sqlite3-cli SQLITE_HISTORY "$T/moved/sqlite_history" "$H/.sqlite_history" "$T/moved/sqlite_history" \
  bash -c 'printf ".tables\n.quit\n" | script -qec "sqlite3 '"$T"'/moved/db" /dev/null'

uniq_count=$(printf '%s\n' "${proved[@]}" | sort -u | wc -l)
note "tools proved: $(printf '%s ' "${proved[@]}" | tr ' ' '\n' | sort -u | tr '\n' ' ')"
[ "$uniq_count" -ge 10 ] || fail "only $uniq_count tools proved, want at least 10"
