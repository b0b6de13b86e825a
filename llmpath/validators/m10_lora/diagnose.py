"""Words for wrong LoRA numbers: which scaling, which target rule, which counting rule the learner's code follows.

Pure functions of the numbers (numpy only, imported inside); the popular conventions they name:
* loralib (Microsoft's reference code, Hu et al. 2021): lora.Linear freezes only its weight; the
  bias stays trainable until ``mark_only_lora_as_trainable(model, bias="none")`` runs; scaling alpha / r.
* peft: the layer freezes nothing; ``get_peft_model`` freezes every non-adapter parameter; scaling
  alpha / r, or alpha / sqrt(r) with ``use_rslora=True`` (rsLoRA, Kalajdzievski 2023, arXiv:2312.03732);
  ``target_modules`` match a module's full name or a suffix after a dot.
* from-scratch tutorials: A (in, r) and B (r, out) stored transposed, ``x @ A @ B``, scaled by alpha
  alone; the whole model frozen by a loop before the layers are swapped, or the base never frozen and
  only the adapters handed to the optimizer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any


def matches(name: str, targets: Iterable[str]) -> bool:
    """The contract's rule (peft's): a target is a module's full name or a suffix of it after a dot."""
    return any(name == t or name.endswith("." + t) for t in targets)


# other rules learners write, and how the diagnosis names them
_RULES = {
    "substring": (lambda n, t: t in n, "matched as substrings (`t in name`)"),
    "endswith": (lambda n, t: n.endswith(t), "matched with name.endswith(t), without the dot"),
    "last": (lambda n, t: n.rsplit(".", 1)[-1] == t, "matched against the last name component only"),
    "exact": (lambda n, t: n == t, "matched only against full module names"),
}


def target_rule(adapted: set[str], names: list[str], targets: list[str]) -> str:
    """A sentence naming the rule that selects exactly ``adapted`` out of ``names`` (or what differs)."""
    want = {n for n in names if matches(n, targets)}
    for rule, text in _RULES.values():
        if {n for n in names if any(rule(n, t) for t in targets)} == adapted != want:
            return f"targets were {text}: peft's rule, used here, is name == t or name.endswith('.' + t)"
    extra, missing = sorted(adapted - want), sorted(want - adapted)
    return (
        f"targets must match a module's full name or a suffix after a dot (peft's rule); "
        f"adapted but not targeted: {extra or 'none'}; targeted but not adapted: {missing or 'none'}"
    )


def scaling_words(k: float, r: int, alpha: float) -> str | None:
    """Name the scaling a learner used when the update came out k x (B A x) instead of (alpha / r) x."""
    known = {
        alpha: f"alpha not divided by r: the update is scaled by alpha = {alpha:g}, not alpha / r = {alpha / r:g}",
        alpha / math.sqrt(r): f"scaled by alpha / sqrt(r) = {alpha / math.sqrt(r):g} (rsLoRA, peft's use_rslora=True); "
        f"this contract uses alpha / r = {alpha / r:g}",
        1.0: f"the update is not scaled: multiply it by alpha / r = {alpha / r:g}",
        r / alpha: f"the scaling is inverted: r / alpha = {r / alpha:g} instead of alpha / r = {alpha / r:g}",
        0.0: "the update is missing from the output (the adapter is never added)",
    }
    for value, words in known.items():
        if abs(k - value) <= 1e-6 * max(1.0, abs(value)):
            return words
    return None


def fit_scale(got: Any, unit: Any) -> float | None:
    """k when got = k * unit (to 1e-8 relative), else None; unit must be nonzero."""
    import numpy as np

    got = np.asarray(got, dtype=np.float64).ravel()
    unit = np.asarray(unit, dtype=np.float64).ravel()
    if got.shape != unit.shape or not np.any(unit) or not np.all(np.isfinite(got)):
        return None
    k = float(got @ unit / (unit @ unit))
    return k if float(np.max(np.abs(got - k * unit))) <= 1e-8 * (1 + float(np.max(np.abs(got)))) else None


def update_words(delta: Any, x: Any, A: Any, B: Any, r: int, alpha: float) -> str | None:
    """Why out - base(x) is not (alpha / r) x A^T B^T: a scaling, or the product taken the wrong way round."""
    import numpy as np

    unit = x @ A.T @ B.T
    k = fit_scale(delta, unit)
    if k is not None:
        return scaling_words(k, r, alpha)
    if B.shape[0] == A.shape[1]:  # square: x B A has the right shape too
        k = fit_scale(delta, x @ B @ A)
        if k is not None:
            return f"the update is applied transposed: x B A (scaled {k:g}) instead of x A^T B^T"
    if not np.any(delta):
        return "the update is missing from the output (the adapter is never added)"
    return None


def merge_words(weight: Any, W: Any, A: Any, B: Any, r: int, alpha: float) -> str | None:
    """Why the merged weight is not W + (alpha / r) B A."""
    delta = weight - W
    if weight.shape == W.shape and W.shape[0] == W.shape[1]:
        k = fit_scale(delta, (B @ A).T)
        if k is not None and abs(k) > 0:
            return "merge transposed: the weight got (B A)^T added; nn.Linear's weight is (out, in), so add B @ A"
    k = fit_scale(delta, B @ A)
    if k is not None:
        if abs(k) < 1e-12:
            return "merge ignores the update: the merged weight is the base weight"
        return "the merged weight " + (scaling_words(k, r, alpha) or f"adds {k:g} B A instead of (alpha / r) B A")
    return None


def count_words(got: int, counts: dict[str, int]) -> str | None:
    """Which counting rule gives ``got`` on the tied model (see cases.tied_counts)."""
    words = {
        "tied_twice": "a tied weight counted twice: model.parameters() yields a shared tensor once, "
        "named_parameters(remove_duplicate=False) and state_dict() list it under both names",
        "with_frozen": "frozen parameters counted: count only parameters with requires_grad=True",
        "state_dict": "counted state_dict() entries: buffers, frozen weights, and tied weights twice",
    }
    for key, text in words.items():
        if got == counts[key] and got != counts["unique"]:
            return text
    return None
