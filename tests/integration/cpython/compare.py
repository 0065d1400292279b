"""Compares two result files of unittest_ids.py (native, under rwshim).

Prints the numbers and, one per line, 'REGRESSION <id>' for every test case that passed natively
and did not pass under rwshim (failed, or never reported because the run died). Exit 0."""
import sys


def load(path):
    status = {}
    with open(path, errors="replace") as f:
        for line in f:
            if not line.startswith("RWSHIM-RESULT "):
                continue
            parts = line.split(" ", 2)
            if len(parts) != 3:
                continue
            _, st, tid = parts
            tid = tid.strip()
            # A case reported twice (a fixture error after it ran) fails if either report fails.
            if status.get(tid) != "fail":
                status[tid] = st
    return status


native, shim = load(sys.argv[1]), load(sys.argv[2])
passing = {t for t, s in native.items() if s == "ok"}
shim_ok = {t for t, s in shim.items() if s == "ok"}
regressions = sorted(passing - shim_ok)
print("cases run natively %d, passing natively %d, run under rwshim %d, passing under rwshim %d, "
      "regressions %d" % (len(native), len(passing), len(shim), len(shim_ok), len(regressions)))
for t in regressions:
    print("REGRESSION %s %s" % (t, shim.get(t, "missing")))
