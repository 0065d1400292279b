# Incident 2: a bot on an ephemeral host, HOME=/workspace which does not exist under an
# unwritable /. matplotlib wants its config dir under HOME; a JSON user-context store is saved
# there with write-temp-then-rename. Natively it dies; under rwshim run it works, keeps its
# data across runs, and matplotlib does not fall back to a temporary config dir.
. "$(dirname "$0")/../lib.sh"
need_root; need_cmd python3 setpriv
$PY -c 'import matplotlib' 2>/dev/null || skip "python3-matplotlib not installed"
[ -e /workspace ] && skip "/workspace exists on this machine"

cat > "$T/bot.py" <<'PY'
import json, os
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

home = os.environ["HOME"]
store = os.path.join(home, "bot", "context.json")
os.makedirs(os.path.dirname(store), exist_ok=True)
data = {"counter": 0}
if os.path.exists(store):
    with open(store) as f:
        data = json.load(f)
data["counter"] += 1
tmp = store + ".tmp"
with open(tmp, "w") as f:
    json.dump(data, f)
os.replace(tmp, store)
plt.plot([1, 2, 3])
plt.savefig(os.path.join(home, "plot.png"))
print("counter", data["counter"])
print("configdir", matplotlib.get_configdir())
PY
chmod 644 "$T/bot.py"
USER_HOME=/workspace

out=$(as_user_native python3 "$T/bot.py" 2>&1); st=$?
[ $st -ne 0 ] || fail "native run should fail"
assert_contains "$out" "Permission denied: '/workspace'"
note "native: $(grep -m1 'Permission denied' <<<"$out")"

up="$T/upper"; user_dir "$up"
out=$(as_user "$RW" run --upper "$up/u" -- python3 "$T/bot.py" 2>&1) || fail "first run failed: $out"
assert_contains "$out" "counter 1"
assert_contains "$out" "configdir /workspace/.config/matplotlib"
assert_not_contains "$out" "created a temporary" "matplotlib fell back to a temporary dir"
out=$(as_user "$RW" run --upper "$up/u" -- python3 "$T/bot.py" 2>&1) || fail "second run failed: $out"
assert_contains "$out" "counter 2"
[ -e /workspace ] && fail "/workspace was created on the real filesystem"
[ "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["counter"])' "$up/u/fs/workspace/bot/context.json")" = 2 ] \
  || fail "the store in the upper does not hold 2"
[ -e "$up/u/fs/workspace/bot/context.json.tmp" ] && fail "temp file left behind"
file "$up/u/fs/workspace/plot.png" 2>/dev/null | grep -q PNG || head -c 8 "$up/u/fs/workspace/plot.png" | grep -q PNG || fail "no PNG saved"
echo ok
