# W1: start python3, import matplotlib with the Agg backend, save a small PNG to argv[1].
# MPLCONFIGDIR is set by bench/run to a pre-warmed dir, so the font cache is read, not built.
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

out = sys.argv[1]
fig, ax = plt.subplots(figsize=(2, 2), dpi=50)
ax.plot([0, 1, 2, 3], [0, 1, 4, 9])
ax.set_title("rwshim bench")
fig.savefig(out)
if os.path.getsize(out) <= 0:
    sys.exit("w1: empty PNG: " + out)
