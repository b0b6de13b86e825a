"""m10.lora's verdict on dropout: off in eval mode, on in train mode, and only on the adapter's input."""

from __future__ import annotations

from typing import Any

from llmpath.validators.m10_lora import cases as c
from llmpath.validators.m10_lora import diagnose as dg
from llmpath.validators.m10_lora.arrays import Finding, as_array, error_of, max_diff, raised

TOL = c.FLOAT64_TOL


def judge_dropout(rec: Any, t: dict) -> list[Finding]:
    """dropout=0.5 is off in eval mode, on in train mode, and only on the adapter's input."""
    where = f"LoRALinear(..., dropout={c.DROPOUT})"
    if (err := error_of(rec)) is not None:
        if "dropout" in err:
            return [
                (
                    f"{where} raised {err}",
                    "the contract's LoRALinear takes dropout (default 0.0), applied to the "
                    "adapter's input x in training only (peft: lora_B(lora_A(dropout(x))))",
                )
            ]
        return [raised(where, err)]
    out: list[Finding] = []
    base = t["x"] @ t["W3"].T + t["b3"]
    want = base + c.ALPHA / c.R * t["x"] @ t["A3"].T @ t["B3"].T
    e1, e2 = rec["eval"]
    if max_diff(e1, e2) > 0:
        out.append(
            (
                f"in eval mode two calls of {where} differ by up to {max_diff(e1, e2):.3g}",
                "dropout active in eval: "
                "use nn.Dropout (model.eval() turns it off) or apply dropout only when self.training",
            )
        )
    elif max_diff(e1, want) > TOL:
        k = dg.fit_scale(as_array(e1) - base, want - base)
        out.append(
            (
                f"in eval mode {where} differs from base(x) + (alpha / r) x A^T B^T by up to {max_diff(e1, want):.3g}",
                "dropout's 1 / (1 - p) scale is applied in eval mode" if k is not None and abs(k - 2) < 1e-6 else None,
            )
        )
    t1, t2 = rec["train"]
    if max_diff(t1, t2) == 0:
        out.append((f"in train mode two calls of {where} give the same output", "dropout is never applied in training"))
    if max_diff(rec["train_b0"], base) > TOL:
        out.append(
            (
                f"in train mode with B = 0, {where} is off the base layer by {max_diff(rec['train_b0'], base):.3g}",
                "dropout is applied to the base layer's path too: drop only the adapter's input x",
            )
        )
    return out
