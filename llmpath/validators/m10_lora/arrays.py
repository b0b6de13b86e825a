"""Small helpers the m10.lora verdicts share: arrays from the wire, recorded errors, differences, findings."""

from __future__ import annotations

from typing import Any

Finding = tuple[str, str | None]  # (what is wrong, the likely bug or None)


def as_array(a: Any) -> Any:
    import numpy as np

    return None if a is None else np.asarray(a, dtype=np.float64)


def error_of(section: Any) -> str | None:
    return section["error"] if isinstance(section, dict) and "error" in section else None


def max_diff(a: Any, b: Any) -> float:
    import numpy as np

    a, b = as_array(a), as_array(b)
    return float("inf") if a.shape != b.shape else float(np.max(np.abs(a - b)))


def raised(what: str, err: str) -> Finding:
    if "Double" in err or "dtype" in err:
        return (f"{what} raised {err}", "A and B must take the base weight's dtype and device (float64 here)")
    if "size" in err and "match" in err:
        return (
            f"{what} raised {err}",
            "a shape mismatch: A is (r, in_features), B is (out_features, r), "
            "the update x A^T B^T, the merged weight W + (alpha / r) B A",
        )
    return (f"{what} raised {err}", None)
