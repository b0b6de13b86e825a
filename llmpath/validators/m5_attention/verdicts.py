"""M5's verdicts: judge the probes' raw results against the float64 reference, in llmpath's process."""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import BadOutput, Verdict, VerdictContext
from llmpath.validators.m5_attention.cases import MASK_SIZES, TOLERANCES, _close, _errors, make_cases, reference
from llmpath.validators.m5_attention.diagnose import _diagnose_weights


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


def verdict_attention(raw: dict, ctx: VerdictContext) -> Verdict:
    import numpy as np

    cases = make_cases(ctx.seed)
    got_cases = raw.get("cases")
    if not isinstance(got_cases, list) or len(got_cases) != len(cases):
        raise BadOutput("the probe returned an unexpected number of cases")
    worst_out = worst_w = 0.0
    for case, rec in zip(cases, got_cases):
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
    # cases run in order: the 2-D case passed (it is unguarded), so a crash says which generalisation fails;
    # each cause is named only when the error message bears it out (the first float64 case has a mask too)
    diagnosis = None
    low = error.lower()
    if case["dtype"] == "float64" and any(w in low for w in ("dtype", "double", "scalar type", "float")):
        diagnosis = (
            "float32 and float64 mixed on float64 inputs (the first float64 case is this one): something is "
            "computed in float32 (.float(), torch.tensor(..., dtype=torch.float32), a float32 -inf fill tensor); "
            "keep the inputs' dtype throughout"
        )
    elif case["mask"] is not None and any(w in low for w in ("shape", "size", "index", "broadcast", "dimension")):
        diagnosis = (
            f"it works without a mask but fails with a bool mask of shape {_shape_str(case['mask'].shape)}: the mask "
            "broadcasts to (..., Lq, Lk); masked_fill(~mask, ...) and torch.where broadcast it, boolean indexing "
            "(scores[~mask] = ...) does not"
        )
    elif case["q"].ndim > 2 and any(w in low for w in ("shape", "size", "dimension", "mat")):
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


def verdict_causal_mask(raw: dict, ctx: VerdictContext) -> Verdict:
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
