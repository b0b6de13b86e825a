"""m10.lora's verdict on one LoRALinear: start, shapes, freezing, gradients, the update, merge and dropout.

Each function returns findings ``(what is wrong, likely bug)``; an empty list means the section holds.
``t`` holds the judge's tensors as float64 numpy arrays, regenerated from the seed.
"""

from __future__ import annotations

from typing import Any

from llmpath.validators.m10_lora import cases as c
from llmpath.validators.m10_lora import diagnose as dg
from llmpath.validators.m10_lora.arrays import Finding, as_array, error_of, max_diff, raised

TOL = c.FLOAT64_TOL


def _start(rec: dict) -> list[Finding]:
    """Shapes, dtype, initial values and which parameters train, of a fresh LoRALinear(nn.Linear(12, 10), 4, 8)."""
    import numpy as np

    out: list[Finding] = []
    want_a, want_b = (c.R, c.IN), (c.OUT, c.R)
    if tuple(rec["A_shape"]) == want_a[::-1] and tuple(rec["B_shape"]) == want_b[::-1]:
        out.append(
            (
                f"A has shape {tuple(rec['A_shape'])} and B {tuple(rec['B_shape'])}; expected A {want_a}, B {want_b}",
                "A and B are stored transposed (A (in, r), B (r, out), x @ A @ B, as some from-scratch tutorials "
                "write it); this contract uses peft's and loralib's layout A (r, in_features), B (out_features, r)",
            )
        )
    elif (tuple(rec["A_shape"]), tuple(rec["B_shape"])) != (want_a, want_b):
        return [
            (
                f"A has shape {tuple(rec['A_shape'])} and B {tuple(rec['B_shape'])}; expected A {want_a}, B {want_b}",
                None,
            )
        ]
    if rec["dtype"] != "float64":
        out.append(
            (f"A is {rec['dtype']} on a float64 base layer", "create A and B with the base weight's dtype and device")
        )
    A, B = as_array(rec["A"]), as_array(rec["B"])
    if not A.any() and not B.any():
        out.append(
            (
                "A and B both start at zero",
                "both A and B zero: every gradient of A and B is zero, so the adapter "
                "never learns; initialise A randomly (e.g. kaiming_uniform_) and B to zero",
            )
        )
    elif not A.any():
        out.append(
            (
                "A starts at zero and B does not",
                "A zero and B random: the initialisations are swapped; LoRA "
                "starts A random and B zero, so that at step 1 only B gets a gradient",
            )
        )
    elif B.any():
        out.append(
            (
                f"B does not start at zero (max |B| = {np.max(np.abs(B)):.3g})",
                "B must start at zero so that a "
                "fresh adapter computes exactly what the base layer computes (A random, B zero)",
            )
        )
    trainable = {n: tuple(s) for n, s in rec["trainable"]}
    extra = {n: s for n, s in trainable.items() if s not in (tuple(rec["A_shape"]), tuple(rec["B_shape"]))}
    if rec["weight_trainable"]:
        out.append(
            (
                "the base layer's weight has requires_grad=True",
                "base not frozen: LoRALinear must set "
                "requires_grad=False on base.weight and base.bias (a layer that leaves the base trainable and hands "
                "only A and B to its optimizer still trains the base under model.parameters())",
            )
        )
    elif rec["bias_trainable"]:
        out.append(
            (
                "the base layer's bias has requires_grad=True",
                "bias left trainable: loralib's lora.Linear freezes "
                "only the weight (the bias waits for mark_only_lora_as_trainable); this contract freezes both "
                "in the layer",
            )
        )
    elif extra:
        out.append(
            (
                f"trainable parameters besides A and B: {extra}",
                "only A and B train: an extra trainable bias (\"bias adapted\") is not LoRA with bias='none'",
            )
        )
    return out


def _step(step: Any, rec: dict, t: dict) -> list[Finding]:
    """Output at start, first gradients, one SGD step: the base stays, B moves, the output follows the formula."""
    import numpy as np

    if (err := error_of(step)) is not None:
        return [raised(f"LoRALinear forward/backward on x of shape {(*c.X_SHAPE, c.IN)}", err)]
    out: list[Finding] = []
    base_out = as_array(rec["base_out"])
    if max_diff(base_out, t["x"] @ t["W"].T + t["b"]) > TOL:
        out.append(("the probe's own base-layer output does not match llmpath's recomputation", "torch was changed"))
    got = as_array(step["out"])
    if got.shape != base_out.shape:
        return out + [
            (
                f"LoRALinear on x of shape {(*c.X_SHAPE, c.IN)} returned shape {got.shape}; expected {base_out.shape}",
                "handle inputs of shape (..., in_features): x @ A.T works on any number of leading dimensions",
            )
        ]
    if not np.array_equal(got, base_out):
        out.append(
            (
                f"a fresh LoRALinear differs from its base layer by up to {max_diff(got, base_out):.3g} "
                "(expected bitwise equal)",
                None,
            )
        )
    s = c.ALPHA / c.R
    x2, g2 = t["x"].reshape(-1, c.IN), t["G"].reshape(-1, c.OUT)
    A0 = as_array(rec["A"]) if tuple(rec["A_shape"]) == (c.R, c.IN) else as_array(rec["A"]).T
    a_grad, b_grad = as_array(step["A_grad"]), as_array(step["B_grad"])
    if a_grad is None or b_grad is None:
        out.append(
            (f"{'A' if a_grad is None else 'B'} got no gradient", "A and B must be nn.Parameters with requires_grad")
        )
    else:
        if np.any(a_grad):
            out.append(
                (
                    f"A's gradient at step 1 is not zero (max {np.max(np.abs(a_grad)):.3g}); with B = 0 it is 0",
                    None,
                )
            )
        want_b = s * g2.T @ (x2 @ A0.T)  # dL/dB for L = sum(G * out): (out, r)
        b_grad = b_grad if b_grad.shape == want_b.shape else b_grad.T
        if not np.any(b_grad):
            out.append(("B's gradient at step 1 is zero: the adapter cannot start learning", None))
        elif max_diff(b_grad, want_b) > TOL * (1 + np.max(np.abs(want_b))):
            k = dg.fit_scale(b_grad, want_b / s)
            out.append(
                (
                    f"B's gradient at step 1 is off (alpha / r) G^T x A^T by up to {max_diff(b_grad, want_b):.3g}",
                    dg.scaling_words(k, c.R, c.ALPHA) if k is not None else None,
                )
            )
    return out + _after_step(step, base_out, t)


def _after_step(step: dict, base_out: Any, t: dict) -> list[Finding]:
    """After one SGD step over layer.parameters(): the base unchanged, the output moved, by the formula.

    ``base_out`` is the base layer's output computed in the child (bitwise comparable with the layer's).
    """
    out: list[Finding] = []
    s = c.ALPHA / c.R
    if step["weight_grad"] is not None or not step["weight_same"]:
        out.append(
            (
                "the base weight "
                + (
                    "changed after an SGD step over layer.parameters()"
                    if not step["weight_same"]
                    else "received a gradient"
                ),
                "base not frozen (requires_grad=False on base.weight)",
            )
        )
    if not step["bias_same"]:
        out.append(
            ("the base bias changed after an SGD step", "bias left trainable: freeze base.bias in the layer too")
        )
    moved = max_diff(step["out_after"], base_out)
    if moved <= 0:
        out.append(("one SGD step left the layer's output unchanged", "the adapter never learns"))
    A1, B1 = as_array(step["A_after"]), as_array(step["B_after"])
    if A1.shape != (c.R, c.IN):
        A1, B1 = A1.T, B1.T
    want = t["x"] @ t["W"].T + t["b"] + s * t["x"] @ A1.T @ B1.T
    if step["weight_same"] and max_diff(step["out_after"], want) > TOL:
        delta = as_array(step["out_after"]) - (t["x"] @ t["W"].T + t["b"])
        out.append(
            (
                f"after a step, the output differs from base(x) + (alpha / r) x A^T B^T with the layer's own A and B "
                f"by up to {max_diff(step['out_after'], want):.3g}",
                dg.update_words(delta, t["x"], A1, B1, c.R, c.ALPHA),
            )
        )
    return out


def _merged(rec: Any, what: str, W: Any, A: Any, B: Any, tol: float = TOL) -> list[Finding]:
    if (err := error_of(rec)) is not None:
        return [raised(f"merge({what})", err)]
    if not rec["is_linear"]:
        return [(f"merge({what}) returned a {rec['type']}, not an nn.Linear", None)]
    out: list[Finding] = []
    weight = as_array(rec["weight"])
    if weight.shape != W.shape:
        return [(f"merge({what}).weight has shape {weight.shape}; expected {W.shape} (out, in)", None)]
    want = W + c.ALPHA / c.R * B @ A
    if max_diff(weight, want) > tol * (1 + float(abs(want).max())):
        out.append(
            (
                f"merge({what}).weight differs from W + (alpha / r) B A by up to {max_diff(weight, want):.3g}",
                dg.merge_words(weight, W, A, B, c.R, c.ALPHA),
            )
        )
    elif max_diff(rec["out"], rec["before"]) > tol * (1 + float(abs(as_array(rec["before"])).max())):
        out.append(
            (
                f"merge({what}) computes outputs up to {max_diff(rec['out'], rec['before']):.3g} away from the layer's",
                "the merged layer lost the bias" if rec["bias"] is None else None,
            )
        )
    if max_diff(rec["layer_after"], rec["before"]) > tol * (1 + float(abs(as_array(rec["before"])).max())):
        out.append(
            (
                f"after merge({what}) the LoRA layer's output moved by "
                f"{max_diff(rec['layer_after'], rec['before']):.3g}",
                "merge changed the layer in place (base.weight += ...) while it still adds its update: the update now "
                "counts twice; build a new nn.Linear and leave the layer as it was",
            )
        )
    return out


def judge_layer(rec: Any, t: dict) -> list[Finding]:
    where = f"LoRALinear(nn.Linear({c.IN}, {c.OUT}), r={c.R}, alpha={c.ALPHA:g})"
    if (err := error_of(rec)) is not None:
        return [raised(where, err)]
    if not {"A", "B"} <= set(rec["attrs"]):
        return [
            (
                f"{where} has no attribute(s) {sorted({'A', 'B'} - set(rec['attrs']))}",
                "the contract names the adapter's matrices layer.A (r, in) and layer.B (out, r)",
            )
        ]
    return _start(rec) + _step(rec["step"], rec, t)


def judge_layer_merge(rec: Any, t: dict) -> list[Finding]:
    """merge of the trained non-square layer (after judge_known, whose square layer names a transposed merge)."""
    if error_of(rec) is not None or not {"A", "B"} <= set(rec["attrs"]):
        return []
    step = rec["step"]
    if error_of(step) is not None or tuple(rec["A_shape"]) not in ((c.R, c.IN), (c.IN, c.R)):
        return []
    A1, B1 = as_array(step["A_after"]), as_array(step["B_after"])
    if A1.shape != (c.R, c.IN):
        A1, B1 = A1.T, B1.T
    where = f"a trained LoRALinear(nn.Linear({c.IN}, {c.OUT}), r={c.R}, alpha={c.ALPHA:g})"
    return _merged(rec["merge"], where, t["W"], A1, B1)


def judge_known(rec: Any, t: dict) -> list[Finding]:
    """Known A and B on the square layer: the update's formula and scaling, the merge, float32."""
    where = f"LoRALinear(nn.Linear({c.SQ}, {c.SQ}), r={c.R}, alpha={c.ALPHA:g}) with A, B set to known values"
    if (err := error_of(rec)) is not None:
        return [raised(where, err)]
    out: list[Finding] = []
    base = t["x2"] @ t["W2"].T + t["b2"]
    want = base + c.ALPHA / c.R * t["x2"] @ t["A2"].T @ t["B2"].T
    if max_diff(rec["out"], want) > TOL:
        out.append(
            (
                f"{where}: output is off base(x) + (alpha / r) x A^T B^T by up to {max_diff(rec['out'], want):.3g}",
                dg.update_words(as_array(rec["out"]) - base, t["x2"], t["A2"], t["B2"], c.R, c.ALPHA),
            )
        )
    out += _merged(rec["merge"], where, t["W2"], t["A2"], t["B2"])
    f32 = rec["float32"]
    if (err := error_of(f32)) is not None:
        out.append(raised("the same in float32", err))
    elif f32["is_linear"] and max_diff(f32["out"], f32["before"]) > c.FLOAT32_TOL * (
        1 + float(abs(as_array(f32["before"])).max())
    ):
        out.append(
            (
                f"in float32, merged and unmerged outputs differ by {max_diff(f32['out'], f32['before']):.3g} "
                f"(allowed {c.FLOAT32_TOL:g} x (1 + max |output|))",
                None,
            )
        )
    return out
