#!/usr/bin/env bash
# trace loses no event of a multi-threaded writer: 8 threads create files at once, each into its
# own spool slot; every creation is recorded once, with the right count per thread.
. "$(dirname "$0")/../lib.sh"
need_root
H="$T/helpers/trace_spool_writer"
[ -x "$H" ] || skip "tests/helpers not built"
user_dir "$T/native"; user_dir "$T/traced"

note "native: 8 threads x 500 files"
as_user_native "$H" "$T/native/o" threads 500 || fail "native run failed"
assert_eq "$(find "$T/native/o" -type f | wc -l)" 4000 "files made natively"

as_user "$RW" trace --json -o "$T/traced/trace.json" -- "$H" "$T/traced/o" threads 500 || fail "traced run failed"
assert_eq "$(find "$T/traced/o" -type f | wc -l)" 4000 "files made under trace"
python3 - "$T/traced/trace.json" "$T/traced/o" <<'PY' || fail "records differ"
import collections, json, sys
seen = collections.Counter()
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["op"] == "open" and e["path"].startswith(sys.argv[2] + "/"):
        seen[e["path"]] += 1
per_thread = collections.Counter(p.rsplit("/", 1)[1].split("-")[0] for p in seen)
dups = [p for p, c in seen.items() if c != 1]
if len(seen) != 4000 or dups or sorted(per_thread.values()) != [500] * 8:
    print("recorded", len(seen), "paths; duplicates", dups[:5], "per thread", dict(per_thread))
    sys.exit(1)
print("4000 creations recorded, once each, 500 per thread")
PY
echo ok
