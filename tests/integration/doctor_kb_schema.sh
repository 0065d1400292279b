#!/usr/bin/env bash
# Every knowledge-base entry validates against data/kb.schema.json (a real JSON Schema
# validator), is named after its file, and there are at least 80 of them.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
"$PY" -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema needed"
"$PY" - "$RWSHIM_SRC/data" <<'PY' || fail "knowledge base does not validate"
import glob, json, os, sys
import jsonschema
d = sys.argv[1]
schema = json.load(open(os.path.join(d, "kb.schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
files = sorted(glob.glob(os.path.join(d, "kb", "*.json")))
bad = 0
for f in files:
    e = json.load(open(f))
    for err in v.iter_errors(e):
        print("%s: %s" % (f, err.message)); bad += 1
    if e.get("tool") + ".json" != os.path.basename(f):
        print("%s: tool %r does not match the file name" % (f, e.get("tool"))); bad += 1
print("# %d entries" % len(files))
sys.exit(1 if bad or len(files) < 80 else 0)
PY
# The schema must be able to fail: an entry without a source is rejected.
"$PY" - "$RWSHIM_SRC/data" <<'PY' || fail "the schema accepts an entry without a source"
import json, os, sys, jsonschema
d = sys.argv[1]
schema = json.load(open(os.path.join(d, "kb.schema.json")))
e = json.load(open(os.path.join(d, "kb", "matplotlib.json")))
del e["source"]
sys.exit(0 if list(jsonschema.Draft202012Validator(schema).iter_errors(e)) else 1)
PY
