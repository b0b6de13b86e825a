"""Pure functions that compare the learner's gradients with the reference and name the likely bug."""

from __future__ import annotations

from typing import Any

from llmpath.validators.numeric import REL_TOL, fmt, max_abs_error, name_scale, near, rel_error, scale_factor


def compare_grads(
    got: dict[str, Any], ref: dict[str, Any], n: int
) -> tuple[list[str], list[tuple[str, str | None]]]:
    """Per-parameter comparison: (lines for every parameter, [(wrong parameter's message, diagnosis)])."""
    import numpy as np

    lines, wrong = [], []
    for name, r in ref.items():
        if name not in got:
            lines.append(f"{name}: missing")
            wrong.append((f"grads has no {name!r} (keys: {sorted(got)})", f"the gradient of {name} is missing"))
            continue
        try:
            g = np.asarray(got[name], dtype=np.float64)
        except (TypeError, ValueError):
            lines.append(f"{name}: not an array")
            wrong.append((f"grads[{name!r}] is not a float array ({type(got[name]).__name__})", None))
            continue
        if g.shape != r.shape:
            lines.append(f"{name}: shape {g.shape}, expected {r.shape}")
            wrong.append((f"grads[{name!r}] has shape {g.shape}, expected {r.shape}", shape_diagnosis(name, g, r, n)))
            continue
        err = rel_error(g, r)
        if err < REL_TOL:
            lines.append(f"{name}: ok (rel error {err:.1e})")
            continue
        lines.append(f"{name}: WRONG (max abs error {max_abs_error(g, r):.3g}, rel error {err:.3g})")
        k = scale_factor(g, r)
        diag = None
        if k is not None:
            diag = name_scale(k, n, f"grads[{name!r}]")
            if near(k, 0.0) and name.startswith("b"):
                diag = f"grads[{name!r}] is zero: the bias gradient is missing (db = dh.sum(axis=0))"
        wrong.append((f"grads[{name!r}] is wrong: {_worst(g, r)}", diag))
    return lines, wrong


def _worst(got: Any, ref: Any) -> str:
    """'max abs error ..., rel error ...; worst entry [i, j]: expected a, got b' (whole vectors when short)."""
    import numpy as np

    head = f"max abs error {max_abs_error(got, ref):.3g}, rel error {rel_error(got, ref):.3g} (tolerance {REL_TOL:g})"
    if ref.size <= 8:
        return f"expected {fmt(ref)}, got {fmt(got)}; {head}"
    with np.errstate(invalid="ignore"):
        diff = np.where(np.isfinite(got), np.abs(got - ref), np.inf)
    idx = np.unravel_index(int(np.argmax(diff)), ref.shape)
    at = ", ".join(str(int(i)) for i in idx)
    return f"{head}; worst entry [{at}]: expected {ref[idx]:.6g}, got {got[idx]:.6g}"


def shape_diagnosis(name: str, got: Any, ref: Any, n: int) -> str | None:
    """Name the usual cause of a gradient of the wrong shape."""
    import numpy as np

    if ref.ndim == 2 and got.shape == ref.T.shape:
        same = np.all(np.isfinite(got)) and rel_error(got, ref.T) < REL_TOL
        return (
            f"transposed weight grad: grads[{name!r}] has shape {got.shape}; dW = a.T @ dh has W's shape {ref.shape}"
            + ("" if same else " (and its values differ too)")
        )
    if ref.ndim == 1:
        if got.shape == (n,) and ref.shape != (n,):
            return (
                f"bias grad summed over the wrong axis: grads[{name!r}] has one entry per row (N={n}); sum dh "
                "over axis 0, the batch"
            )
        if got.shape == (1, ref.shape[0]):
            return f"grads[{name!r}] kept a batch axis of size 1 (keepdims=True?): it must have b's shape {ref.shape}"
        if got.shape == (n, ref.shape[0]):
            return f"grads[{name!r}] was not summed over the batch: db = dh.sum(axis=0)"
    return None


def diagnose_grads(
    got: dict[str, Any], ref: dict[str, Any], candidates: dict[str, dict[str, Any]], n: int
) -> str | None:
    """The most specific explanation of wrong gradients: a known bug, a common factor, or where backprop breaks."""
    import numpy as np

    names = list(ref)
    arrays = {}
    for name in names:
        try:
            g = np.asarray(got.get(name), dtype=np.float64)
        except (TypeError, ValueError):
            return None
        if g.shape != ref[name].shape:
            return None
        arrays[name] = g
    wrong = [k for k in names if rel_error(arrays[k], ref[k]) >= REL_TOL]
    if not wrong:
        return None
    for words, cand in candidates.items():
        if all(rel_error(arrays[k], cand[k]) < 1e-6 for k in names):
            return words
    factors = [scale_factor(arrays[k], ref[k]) for k in wrong]
    if all(f is not None for f in factors) and all(near(f, factors[0]) for f in factors):  # type: ignore[arg-type]
        k = float(factors[0])  # type: ignore[arg-type]
        if near(k, 0.0) and all(name.startswith("b") for name in wrong):
            return "the bias gradients are zero: the bias gradient is missing (db = dh.sum(axis=0))"
        what = "every gradient" if len(wrong) == len(names) else "the gradients of " + ", ".join(wrong)
        return name_scale(k, n, what)
    last = len(names) // 2
    if f"W{last}" not in wrong and f"b{last}" not in wrong:
        first_bad = next(f"layer {i}" for i in range(last, 0, -1) if f"W{i}" in wrong or f"b{i}" in wrong)
        return (f"the output layer's gradients are right but {first_bad}'s are wrong: the error is in backprop "
                "through the hidden layers (the activation's derivative, or da = dh @ W.T)")
    if all(name.startswith("b") for name in wrong):
        return "the weight gradients are right but the bias gradients are wrong: db = dh.sum(axis=0)"
    return None
