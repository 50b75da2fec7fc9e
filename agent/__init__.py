"""hearth: a local smart-home intent agent."""

import os

__version__ = "0.1.0"

# Intel MKL (torch's CPU BLAS) picks code paths by the memory alignment of its inputs, which
# differs run to run: about 1 process in 10 computed other float32 logits for the same command
# and adapter, and int8 loading (its smoothing is calibrated by such a forward pass) other
# weights, so the same command could give another decision in the next process (44 of 601
# once). Strict conditional numerical reproducibility keeps the fastest path and makes it exact
# run to run (same speed measured); set before torch's first matrix product. A user's own
# setting wins.
os.environ.setdefault("MKL_CBWR", "AUTO,STRICT")
