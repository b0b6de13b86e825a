"""Naming the likely bug when M5's attention weights differ from the reference (pure functions)."""

from __future__ import annotations

import math

from llmpath.validators.m5_attention.cases import _close, reference


def _diagnose_weights(case, w, ref_w, logits, allowed) -> str | None:  # noqa: ANN001, PLR0911, C901
    import numpy as np

    dtype = case["dtype"]
    d, dv, lq, lk = case["q"].shape[-1], case["v"].shape[-1], case["q"].shape[-2], case["k"].shape[-2]
    masked = case["mask"] is not None
    finite = np.isfinite(w)
    if masked:
        rows = ~allowed.all(axis=-1)  # rows where the mask removes something
        if rows.any():
            zero_or_nan = (w == 0) | ~finite
            hit_allowed = np.where(allowed, zero_or_nan, True).all(axis=-1)
            hit_masked = np.where(~allowed, (w != 0) | ~finite, True).all(axis=-1)
            leaks = bool(np.any(finite & ~allowed & (w != 0)))
            if leaks and np.mean(hit_allowed[rows] & hit_masked[rows]) >= 0.9:
                return (
                    "the mask is inverted: True means 'may attend' (torch SDPA's convention), so fill the "
                    "scores where the mask is False: scores.masked_fill(~mask, float('-inf'))"
                )
        _, unmasked_w, _ = reference(case["q"], case["k"], case["v"], None)
        if _close(w, unmasked_w, dtype):
            return "the mask is ignored: the weights equal the unmasked softmax (is masked_fill's result assigned?)"
        if _close(w, unmasked_w * allowed, dtype):
            return (
                "the mask is applied after the softmax without renormalising: the rows no longer sum to 1; "
                "mask the scores (with -inf) before the softmax"
            )
    if not finite.all():
        return "the weights contain nan or inf: subtract the row maximum before exp, or use torch.softmax"
    # softmax over the wrong axis: the sums are 1 along another axis, not along the last
    last_ok = np.allclose(w.sum(axis=-1), 1.0, atol=1e-4)
    for axis in range(w.ndim - 1):
        if not last_ok and w.shape[axis] > 1 and np.allclose(w.sum(axis=axis), 1.0, atol=1e-4):
            which = {w.ndim - 2: " (the query axis)"}.get(axis, "")
            return (
                f"the softmax normalises over dim {axis - w.ndim}{which} instead of the key axis: "
                "softmax(scores, dim=-1), so that each query's weights sum to 1"
            )
    # ratio test: fit log(weights) = s * logits + c_row on the allowed entries
    scale = _logit_scale(w, logits, allowed)
    if scale is not None and abs(scale - 1.0) > 0.02:
        known = {
            math.sqrt(d): f"the 1/sqrt(d_k) scaling is missing (d_k = {d}: the logits are sqrt(d_k) = "
            f"{math.sqrt(d):.3g} times too large)",
            1 / math.sqrt(d): f"the scores are divided by d_k = {d} instead of sqrt(d_k) = {math.sqrt(d):.3g}",
            math.sqrt(d / dv): f"the scores are divided by sqrt(dv) = sqrt({dv}) (v's last dim) instead of "
            f"sqrt(d_k) = sqrt({d})",
            math.sqrt(d / lk): f"the scores are divided by sqrt(Lk) = sqrt({lk}) instead of sqrt(d_k) = sqrt({d})",
            math.sqrt(d / lq): f"the scores are divided by sqrt(Lq) = sqrt({lq}) instead of sqrt(d_k) = sqrt({d})",
            d: f"the scores are multiplied by sqrt(d_k) instead of divided (d_k = {d})",
        }
        for factor, text in known.items():
            if abs(scale / factor - 1.0) < 0.02:
                return f"{text} (ratio test: the learner's logits = {scale:.4g} × the expected ones)"
        return f"the logits are {scale:.4g} times the expected q·k/sqrt(d_k): a wrong scaling factor?"
    if dtype == "float64" and _close(w, ref_w, "float32"):
        return (
            "float32 precision on float64 inputs: keep the inputs' dtype (no .float(), no "
            "torch.tensor(..., dtype=torch.float32) inside the function)"
        )
    return None


def _logit_scale(w, logits, allowed) -> float | None:  # noqa: ANN001
    """s such that log(w) ~ s * logits + c per row, when that fits well; else None."""
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        lw = np.log(w)
    ok = allowed & np.isfinite(lw) & np.isfinite(logits)
    rows = ok.sum(axis=-1) >= 2
    if not rows.any():
        return None
    lw, lr, ok = lw[rows], logits[rows], ok[rows]
    n = ok.sum(axis=-1, keepdims=True)
    lwc = np.where(ok, lw - np.where(ok, lw, 0).sum(axis=-1, keepdims=True) / n, 0.0)
    lrc = np.where(ok, lr - np.where(ok, lr, 0).sum(axis=-1, keepdims=True) / n, 0.0)
    denom = float(np.sum(lrc * lrc))
    if denom == 0:
        return None
    s = float(np.sum(lwc * lrc) / denom)
    resid = float(np.linalg.norm(lwc - s * lrc) / max(np.linalg.norm(lwc), 1e-300))
    return s if resid < 1e-3 else None
