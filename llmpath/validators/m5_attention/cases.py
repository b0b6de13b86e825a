"""M5's seeded cases, the trusted float64 attention and the tolerance rule both checks are judged by.

Numpy only: the probe builds its inputs from ``make_cases`` in the child, the verdict regenerates them
in llmpath's process and compares the learner's results with ``reference``.
"""

from __future__ import annotations

import math
from typing import Any

FILE = "attention.py"

# float32: torch.testing.assert_close's default (rtol, atol) = (1.3e-6, 1e-5) (torch/testing/_comparison.py,
# _DTYPE_PRECISIONS). A float32 attention lands within ~1e-7 relative of the float64 reference at these
# sizes (d <= 16, L <= 7), so torch's defaults leave a margin of ~10x.
# float64: torch's default (1e-7, 1e-7) is no tighter than float32 rounding (eps 1.2e-7), so a learner who
# silently computes in float32 would pass it. A float64 computation in any order (matmul, einsum, hand-written
# softmax) stays within ~1e-14 here (a few hundred roundings of eps 2.2e-16), so (1e-10, 1e-12) keeps four
# orders of margin while float32 rounding errors (~1e-8 absolute on the weights) are far outside it.
TOLERANCES = {"float32": (1.3e-6, 1e-5), "float64": (1e-10, 1e-12)}

# (name, q shape, k shape, v shape, dtype, mask kind). d = 16 or 8, dv = 9/5/4: d != dv, so scaling by
# sqrt(dv) is told apart from sqrt(d_k); Lq = 5 != Lk = 7 except where a causal mask needs a square.
# The 2-D case comes first: code that only works on matrices (``k.T``) passes it and crashes later.
CASES: tuple[tuple[str, tuple[int, ...], tuple[int, ...], tuple[int, ...], str, str], ...] = (
    ("2-D, no mask", (5, 16), (7, 16), (7, 9), "float32", "none"),
    ("batched (B, H, L, d), no mask", (2, 3, 5, 16), (2, 3, 7, 16), (2, 3, 7, 9), "float32", "none"),
    ("3-D, causal mask (6, 6)", (4, 6, 8), (4, 6, 8), (4, 6, 5), "float64", "causal"),
    ("key padding mask (B, 1, 1, Lk)", (3, 2, 5, 16), (3, 2, 7, 16), (3, 2, 7, 9), "float32", "padding"),
    ("random full-shape mask", (2, 3, 5, 8), (2, 3, 7, 8), (2, 3, 7, 4), "float64", "random"),
    ("random (Lq, Lk) mask broadcast", (2, 3, 5, 16), (2, 3, 7, 16), (2, 3, 7, 9), "float32", "random2d"),
    ("batched causal mask", (2, 2, 6, 16), (2, 2, 6, 16), (2, 2, 6, 9), "float32", "causal"),
)

MASK_SIZES = (1, 2, 5, 8)


# --------------------------------------------------------------------------- inputs (numpy only)


def make_cases(seed: int) -> list[dict[str, Any]]:
    """The inputs of every case, as numpy arrays already rounded to the case's dtype."""
    import numpy as np

    cases = []
    for i, (name, qs, ks, vs, dtype, kind) in enumerate(CASES):
        rng = np.random.default_rng([seed, 5, i])
        q, k, v = (rng.standard_normal(s).astype(dtype) for s in (qs, ks, vs))
        lq, lk = qs[-2], ks[-2]
        mask = None
        if kind == "causal":
            mask = np.tril(np.ones((lq, lk), dtype=bool))
        elif kind == "padding":
            lengths = [lk, 4, 1][: qs[0]]  # a length-1 item: its only key gets weight exactly 1
            mask = np.zeros((qs[0], 1, 1, lk), dtype=bool)
            for b, n in enumerate(lengths):
                mask[b, ..., :n] = True
        elif kind in ("random", "random2d"):
            shape = qs[:-1] + (lk,) if kind == "random" else (lq, lk)
            mask = rng.random(shape) < 0.6
            keep = rng.integers(lk, size=shape[:-1])  # one guaranteed key per row: no fully masked row
            np.put_along_axis(mask, keep[..., None], True, axis=-1)
        cases.append({"name": name, "q": q, "k": k, "v": v, "dtype": dtype, "mask": mask})
    return cases


def reference(q, k, v, mask):  # noqa: ANN001, ANN201 - numpy arrays in, numpy arrays out
    """float64 attention: (out, weights, logits); masked logits are -inf."""
    import numpy as np

    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    logits = q @ np.swapaxes(k, -1, -2) / math.sqrt(q.shape[-1])
    if mask is not None:
        logits = np.where(mask, logits, -np.inf)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    weights = e / e.sum(axis=-1, keepdims=True)
    return weights @ v, weights, logits


def _errors(got, ref):  # noqa: ANN001, ANN202
    """(max abs error, max CS231n relative error |a-b| / max(|a|, |b|, tiny))."""
    import numpy as np

    diff = np.abs(got - ref)
    rel = diff / np.maximum(np.maximum(np.abs(got), np.abs(ref)), 1e-300)
    return float(np.nanmax(diff, initial=0.0)), float(np.nanmax(rel, initial=0.0))


def _close(got, ref, dtype: str) -> bool:  # noqa: ANN001
    """torch.testing.assert_close's rule, |got - ref| <= atol + rtol * |ref|, with nan never close."""
    import numpy as np

    rtol, atol = TOLERANCES[dtype]
    return bool(np.all(np.abs(got - ref) <= atol + rtol * np.abs(ref)))
