"""The numeric toolkit that M1's and M2's verdicts share: CS231n's relative error, and small pure
functions that turn a wrong array into words (a scale factor such as "N times too large", a known
wrong result) or reject output of the wrong type or shape (``BadOutput``).

numpy is imported inside each function: ``llmpath status`` imports every validator package.
"""

from __future__ import annotations

import math
from typing import Any

from llmpath.validators.api import BadOutput

# Relative error as CS231n's gradient-check notes define it: max |x - y| / max(|x| + |y|, 1e-8).
# Both sides are float64 computations of the same closed form on inputs of order 1, so a correct
# solution differs from the reference by rounding only (~1e-15); CS231n calls < 1e-7 "happy", and
# every bug in M1's bug bank changes the result at the 1e-2 level or more.
REL_TOL = 1e-7


def rel_error(got: Any, ref: Any) -> float:
    """CS231n's relative error, max over elements of |got - ref| / max(|got| + |ref|, 1e-8)."""
    import numpy as np

    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if got.size == 0 and ref.size == 0:
        return 0.0
    with np.errstate(invalid="ignore"):
        err = np.abs(got - ref) / np.maximum(np.abs(got) + np.abs(ref), 1e-8)
    if not np.all(np.isfinite(err)):
        return math.inf
    return float(np.max(err))


def max_abs_error(got: Any, ref: Any) -> float:
    """max |got - ref| over elements (0 for empty arrays)."""
    import numpy as np

    diff = np.abs(np.asarray(got, dtype=np.float64) - np.asarray(ref, dtype=np.float64))
    return float(np.max(diff)) if diff.size else 0.0


def scale_factor(got: Any, ref: Any, tol: float = 1e-6) -> float | None:
    """k when ``got`` is (to ``tol``) exactly k times ``ref`` for one scalar k != 1, else None.

    k is the least-squares fit <got, ref> / <ref, ref>; a zero ``got`` gives k = 0.
    """
    import numpy as np

    got = np.asarray(got, dtype=np.float64).ravel()
    ref = np.asarray(ref, dtype=np.float64).ravel()
    if got.shape != ref.shape or not np.all(np.isfinite(got)) or not np.any(ref):
        return None
    k = float(got @ ref / (ref @ ref))
    if abs(k - 1.0) < 1e-6 or rel_error(got, k * ref) > tol:
        return None
    return k


def near(k: float, target: float) -> bool:
    """Whether the factor ``k`` is ``target`` to 1e-3 (relative, absolute below 1)."""
    return abs(k - target) <= 1e-3 * max(abs(target), 1.0)


def name_scale(k: float, n: int, what: str, generic: bool = True) -> str | None:
    """Words for "``what`` is k times the correct value" with the usual causes (n = batch size).

    With ``generic=False`` only the recognized factors are named (None otherwise): any two
    scalars are proportional, so "k times" says nothing about a single number.
    """
    if near(k, 0.0):
        return f"{what} is zero: is it computed at all (left at its initial value)?"
    if near(k, float(n)):
        return f"{what} is N={n} times too large: missing division by N (sum instead of mean)?"
    if near(k, -float(n)):
        return f"{what} is -N={-n} times the correct value: sign flipped and missing division by N (mean vs sum)?"
    if near(k, 1.0 / n):
        return f"{what} is N={n} times too small: divided by N twice?"
    if near(k, -1.0):
        return f"{what} has the wrong sign (sign flipped)"
    if near(k, 1.0 / math.log(2.0)):
        return f"{what} is 1/ln 2 = 1.443 times too large: log base 2 instead of the natural log?"
    if near(k, 2.0) or near(k, 0.5):
        return f"{what} is off by a factor of {k:g}: a stray factor 2 (or 1/2)?"
    return f"{what} is {k:.4g} times the correct value" if generic else None


def first_match(got: Any, candidates: dict[str, Any], tol: float = 1e-6) -> str | None:
    """The name of the first candidate (a known wrong result) that ``got`` equals to ``tol``."""
    import numpy as np

    got = np.asarray(got, dtype=np.float64)
    for name, value in candidates.items():
        value = np.asarray(value, dtype=np.float64)
        if value.shape == got.shape and np.all(np.isfinite(got)) and rel_error(got, value) <= tol:
            return name
    return None


def as_array(value: Any, shape: tuple[int, ...], what: str) -> Any:
    """``value`` as a float64 array of ``shape``; BadOutput (a failure) otherwise."""
    import numpy as np

    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise BadOutput(f"{what} should be a float array of shape {shape}, got {type(value).__name__}") from None
    if arr.shape != shape:
        raise BadOutput(f"{what} has shape {arr.shape}, expected {shape}")
    return arr


def as_scalar(value: Any, what: str) -> float:
    """``value`` (a float, a 0-d or one-element array) as a float; BadOutput otherwise."""
    import numpy as np

    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise BadOutput(f"{what} should be a float, got {type(value).__name__}") from None
    if arr.size != 1:
        raise BadOutput(f"{what} should be a single float, got an array of shape {arr.shape}")
    return float(arr.reshape(-1)[0])


def fmt(x: Any) -> str:
    """A float array for a message: 6 digits, elided past 12 entries."""
    import numpy as np

    return np.array2string(np.asarray(x, dtype=np.float64), precision=6, max_line_width=120, threshold=12)
