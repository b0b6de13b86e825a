"""M5 validators: scaled dot-product attention and the causal mask (``milestones/M5/attention.py``).

``m5.attention`` calls ``scaled_dot_product_attention(q, k, v, mask=None)`` on seeded inputs: plain 2-D
matrices, batched (B, H, L, d) tensors, Lq != Lk, d != dv, float32 and float64, no mask, a causal
mask, a key-padding mask broadcast over heads and queries, and random masks (full-shape and broadcast
2-D). Every mask row keeps at least one key: a fully masked row has no defined softmax (a correct
implementation may give nan there), so the judge never asks for one. The verdict recomputes
softmax(q k^T / sqrt(d_k)) v in float64 and compares ``out`` and ``weights`` with torch.testing's
default tolerances for the input dtype; masked weights must be exactly 0 and rows must sum to 1.

``m5.causal_mask`` compares ``causal_mask(n)`` with the lower triangle, diagonal included, exactly.
"""

from __future__ import annotations

import math
from typing import Any

from llmpath.validators.api import BadOutput, Check, ProbeContext, Verdict, VerdictContext

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


# --------------------------------------------------------------------------- probes (child process)


def _probe_attention(ctx: ProbeContext) -> dict:
    import torch

    # tiny tensors: one thread is fastest, and on a busy machine intra-op threads spin-wait (seen: 100x slower)
    torch.set_num_threads(1)
    module = ctx.load(FILE)
    fn = ctx.get(module, "scaled_dot_product_attention")
    results = []
    for i, case in enumerate(make_cases(ctx.seed)):
        q, k, v = (torch.from_numpy(case[x]) for x in "qkv")
        mask = None if case["mask"] is None else torch.from_numpy(case["mask"])
        originals = [t.clone() for t in (q, k, v)] + ([mask.clone()] if mask is not None else [])
        if i == 0:
            # the first call is not guarded: a stub's NotImplementedError (or any crash on plain
            # matrices) is the learner's error, reported as such
            got = fn(q, k, v)
        else:
            try:
                got = fn(q, k, v, mask=mask) if mask is not None else fn(q, k, v)
            except Exception as exc:  # noqa: BLE001 - recorded: the verdict names the likely cause
                results.append({"error": f"{type(exc).__name__}: {exc}"})
                continue
        inputs = (q, k, v) + ((mask,) if mask is not None else ())
        mutated = [n for n, t, o in zip("qkvm", inputs, originals) if not torch.equal(t, o)]
        results.append({"result": _raw_pair(got, torch), "mutated": mutated})
    return {"cases": results}


def _raw_pair(got: Any, torch: Any) -> Any:
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return {"type": type(got).__name__, "len": len(got) if isinstance(got, (tuple, list)) else None}
    return [x.detach().cpu() if isinstance(x, torch.Tensor) else {"type": type(x).__name__} for x in got]


def _probe_causal_mask(ctx: ProbeContext) -> dict:
    import torch

    module = ctx.load(FILE)
    fn = ctx.get(module, "causal_mask")
    out = []
    for n in MASK_SIZES:
        m = fn(n)
        if isinstance(m, torch.Tensor):
            out.append({"type": "tensor", "dtype": str(m.dtype).replace("torch.", ""), "value": m.detach().cpu()})
        else:
            out.append({"type": type(m).__name__, "dtype": None, "value": None})
    return {"masks": out}


# --------------------------------------------------------------------------- verdicts (llmpath)


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


def _shape_str(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ")"


def _describe(case: dict[str, Any]) -> str:
    mask = case["mask"]
    m = "no mask" if mask is None else f"mask {_shape_str(mask.shape)}"
    return (
        f"case '{case['name']}': q {_shape_str(case['q'].shape)}, k {_shape_str(case['k'].shape)}, "
        f"v {_shape_str(case['v'].shape)}, {case['dtype']}, {m}"
    )


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def _verdict_attention(raw: dict, ctx: VerdictContext) -> Verdict:
    import numpy as np

    cases = make_cases(ctx.seed)
    got_cases = raw.get("cases")
    if not isinstance(got_cases, list) or len(got_cases) != len(cases):
        raise BadOutput("the probe returned an unexpected number of cases")
    worst_out = worst_w = 0.0
    for i, (case, rec) in enumerate(zip(cases, got_cases)):
        where = f"{_describe(case)} (seed {ctx.seed})"
        if "error" in rec:
            return _crashed(case, rec["error"], where)
        pair = rec.get("result")
        if not isinstance(pair, list):
            what = pair.get("type") if isinstance(pair, dict) else type(pair).__name__
            return Verdict.failed(
                "scaled_dot_product_attention must return a pair (out, weights)",
                f"{where}: it returned a {what}" + (f" of length {pair['len']}" if pair.get("len") else ""),
            )
        if any(isinstance(x, dict) for x in pair):
            kinds = [x["type"] if isinstance(x, dict) else "tensor" for x in pair]
            return Verdict.failed(
                "out and weights must be torch tensors", f"{where}: returned ({', '.join(kinds)})"
            )
        out, w = (np.asarray(x) for x in pair)
        ref_out, ref_w, logits = reference(case["q"], case["k"], case["v"], case["mask"])
        shape_fail = _check_shapes(out, w, ref_out.shape, ref_w.shape, where)
        if shape_fail is not None:
            return shape_fail
        out64, w64 = out.astype(np.float64), w.astype(np.float64)
        mask = case["mask"]
        allowed = np.ones(ref_w.shape, dtype=bool) if mask is None else np.broadcast_to(mask, ref_w.shape)
        w_ok, out_ok = _close(w64, ref_w, case["dtype"]), _close(out64, ref_out, case["dtype"])
        if not (w_ok and out_ok):
            return _mismatch(case, where, out64, w64, ref_out, ref_w, logits, allowed, w_ok)
        # the reference's masked weights are exactly 0; "close" allows up to atol, so ask for exact zeros
        leaked = w64[~allowed]
        if np.any(leaked != 0):
            return Verdict.failed(
                "masked attention weights must be exactly 0",
                f"{where}: {int(np.count_nonzero(leaked))} masked weights are non-zero, the largest "
                f"{_fmt(float(np.max(np.abs(leaked))))}",
                diagnosis="the masked scores are filled with a finite value that is not negative enough "
                "(e.g. -1e2): use float('-inf') or a huge negative number such as -1e9 before the softmax",
            )
        row_err = float(np.max(np.abs(w64.sum(axis=-1) - 1.0)))
        if row_err > TOLERANCES[case["dtype"]][1]:  # implied by closeness; kept as a direct statement
            return Verdict.failed("rows of weights must sum to 1", f"{where}: largest |row sum - 1| = {_fmt(row_err)}")
        if rec.get("mutated"):
            names = ", ".join({"m": "mask"}.get(n, n) for n in rec["mutated"])
            return Verdict.failed(
                "scaled_dot_product_attention modified its inputs",
                f"{where}: {names} changed during the call",
                diagnosis="an in-place operation (masked_fill_, +=, div_) on an input tensor: use the "
                "out-of-place form (masked_fill, +, /)",
            )
        worst_out = max(worst_out, _errors(out64, ref_out)[0])
        worst_w = max(worst_w, _errors(w64, ref_w)[0])
    return Verdict.passed(
        f"out and weights match the float64 reference on all {len(cases)} cases "
        "(2-D and batched, Lq != Lk, d != dv, float32/float64, no/causal/padding/random masks)",
        f"largest |out - ref| = {_fmt(worst_out)}, largest |weights - ref| = {_fmt(worst_w)}; masked "
        "weights exactly 0, rows sum to 1",
        metrics={"max_abs_err_out": worst_out, "max_abs_err_weights": worst_w},
    )


def _crashed(case: dict[str, Any], error: str, where: str) -> Verdict:
    # cases run in order: the 2-D case passed (it is unguarded), so a crash says which generalisation fails
    diagnosis = None
    if case["mask"] is not None:
        diagnosis = (
            f"it works without a mask but fails with a bool mask of shape {_shape_str(case['mask'].shape)}: the mask "
            "broadcasts to (..., Lq, Lk); masked_fill(~mask, ...) and torch.where broadcast it, boolean indexing "
            "(scores[~mask] = ...) does not"
        )
    elif case["q"].ndim > 2:
        diagnosis = (
            "it works on 2-D matrices but crashes on batched (..., L, d) tensors: `k.T` (or k.t()) reverses ALL "
            "dimensions of a batched tensor; transpose only the last two with k.transpose(-2, -1) (or k.mT)"
        )
    return Verdict.failed(
        "scaled_dot_product_attention raised an exception",
        f"{where}: {error}",
        diagnosis=diagnosis,
    )


def _check_shapes(out, w, out_shape, w_shape, where: str) -> Verdict | None:  # noqa: ANN001
    if out.shape == out_shape and w.shape == w_shape:
        return None
    details = [
        f"{where}: expected out {_shape_str(out_shape)} and weights {_shape_str(w_shape)}, "
        f"got out {_shape_str(out.shape)} and weights {_shape_str(w.shape)}"
    ]
    diagnosis = None
    if out.shape == w_shape and w.shape == out_shape:
        diagnosis = "the pair is swapped: return (out, weights), in that order"
    elif w.shape == w_shape[:-2] + (w_shape[-1], w_shape[-2]):
        diagnosis = "weights are transposed: they must be (..., Lq, Lk), one row per query"
    elif out.shape[:-1] == out_shape[:-1] and len(out_shape) and out.shape[-1] == w_shape[-1]:
        diagnosis = "out has Lk columns: out = weights @ v, with v of shape (..., Lk, dv)"
    elif out.shape[-1:] != out_shape[-1:]:
        diagnosis = "out must have v's last dimension dv: out = weights @ v"
    return Verdict.failed("out or weights has the wrong shape", *details, diagnosis=diagnosis)


def _mismatch(case, where, out, w, ref_out, ref_w, logits, allowed, w_ok) -> Verdict:  # noqa: ANN001, PLR0913
    import numpy as np

    dtype = case["dtype"]
    rtol, atol = TOLERANCES[dtype]
    name, got, ref = ("out", out, ref_out) if w_ok else ("weights", w, ref_w)
    abs_err, rel_err = _errors(got, ref)
    details = [
        f"{where}: {name} {'differs' if name == 'out' else 'differ'} from the float64 reference: "
        f"max abs error {_fmt(abs_err)}, max relative "
        f"error {_fmt(rel_err)} (allowed for {dtype}: |got - ref| <= {atol:g} + {rtol:g}·|ref|)"
    ]
    if w_ok:
        # weights are right, so the combination with v is not
        if _close(out, w @ case["v"].astype(np.float64), dtype):
            diagnosis = None
        else:
            diagnosis = "the weights are right but out != weights @ v: multiply the weights by v (not k or q)"
        return Verdict.failed("out is wrong (the weights are right)", *details, diagnosis=diagnosis)
    diagnosis = _diagnose_weights(case, w, ref_w, logits, allowed)
    return Verdict.failed("attention weights are wrong", *details, diagnosis=diagnosis)


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


def _verdict_causal_mask(raw: dict, ctx: VerdictContext) -> Verdict:
    import numpy as np

    masks = raw.get("masks")
    if not isinstance(masks, list) or len(masks) != len(MASK_SIZES):
        raise BadOutput("the probe returned an unexpected number of masks")
    wrong = []  # (n, value, expected) for each size whose pattern is wrong
    for n, rec in zip(MASK_SIZES, masks):
        expected = np.tril(np.ones((n, n), dtype=bool))
        if rec["type"] != "tensor":
            return Verdict.failed(
                "causal_mask must return a torch tensor",
                f"causal_mask({n}) returned a {rec['type']}",
                diagnosis="build it with torch: torch.tril(torch.ones(n, n, dtype=torch.bool))",
            )
        value = np.asarray(rec["value"])
        if value.shape != (n, n):
            return Verdict.failed(
                "causal_mask(n) must have shape (n, n)", f"causal_mask({n}) has shape {_shape_str(value.shape)}"
            )
        if rec["dtype"] != "bool":
            if np.array_equal(value != 0, expected) and set(np.unique(value).tolist()) <= {0, 1}:
                diag = f"the pattern is right but the dtype is {rec['dtype']}: return a bool tensor (dtype=torch.bool)"
            elif np.all(np.isin(value, [0.0, -np.inf])) or np.any(value < 0):
                diag = (
                    "this is an additive float mask (0 / -inf); the contract wants a bool mask where True = "
                    "may attend, like torch SDPA's bool attn_mask"
                )
            else:
                diag = "return a bool tensor (dtype=torch.bool), True = may attend"
            return Verdict.failed(
                "causal_mask must return a bool tensor", f"causal_mask({n}) has dtype {rec['dtype']}", diagnosis=diag
            )
        if not np.array_equal(value, expected):
            wrong.append((n, value, expected))
    if wrong:
        n, value, expected = max(wrong, key=lambda w: (w[0] <= 5, w[0]))  # show a readable one, 5 x 5 if wrong

        def picture(m) -> str:  # noqa: ANN001
            return "\n".join("    " + " ".join("1" if x else "." for x in row) for row in m)

        candidates = (
            (-1, "the diagonal is excluded (off by one): a position may attend to itself, so use torch.tril "
             "(diagonal=0), not diagonal=-1"),
            (1, "one position above the diagonal is allowed (off by one): use torch.tril with diagonal=0"),
            ("inverted", "the mask is inverted: True must mean 'may attend' (the past and the position itself), "
             "not 'masked'"),
            ("upper", "this is the upper triangle: True must be on and below the diagonal (row i may attend to "
             "columns j <= i): torch.tril, not torch.triu"),
        )

        def shape_of(kind, size):  # noqa: ANN001, ANN202
            ones = np.ones((size, size), dtype=bool)
            if kind == "inverted":
                return ~np.tril(ones)
            return np.triu(ones) if kind == "upper" else np.tril(ones, kind)

        diagnosis = next(
            (text for kind, text in candidates if all(np.array_equal(v, shape_of(kind, m)) for m, v, _ in wrong)), None
        )
        return Verdict.failed(
            f"causal_mask(n) is wrong for n = {', '.join(str(w[0]) for w in wrong)}",
            f"causal_mask({n}): expected (1 = True, on and below the diagonal):\n{picture(expected)}",
            f"got:\n{picture(value.astype(bool))}",
            diagnosis=diagnosis,
        )
    return Verdict.passed(
        f"causal_mask(n) is the bool lower triangle, diagonal included, for n = {', '.join(map(str, MASK_SIZES))}"
    )


ATTENTION = Check(
    name="m5.attention",
    description="scaled_dot_product_attention matches a float64 reference (batched, masks, float32/float64)",
    probe=_probe_attention,
    verdict=_verdict_attention,
    timeout_s=60,
    memory_mb=2048,
)

CAUSAL_MASK = Check(
    name="m5.causal_mask",
    description="causal_mask(n) is the bool lower triangle, diagonal included",
    probe=_probe_causal_mask,
    verdict=_verdict_causal_mask,
    timeout_s=30,
    memory_mb=2048,
)

CHECKS: tuple[Check, ...] = (ATTENTION, CAUSAL_MASK)
