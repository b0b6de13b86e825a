"""m10.lora's verdict: every fact the probe recorded, judged against values recomputed here from the seed.

Tolerances: float64 on these sizes rounds at ~1e-15, so 1e-10 (cases.FLOAT64_TOL) leaves a wide
margin while every bug moves outputs by 1e-2 or more; "exactly the base layer" is bitwise
(adding a zero update changes no bit); float32 merged vs unmerged within 1e-5 (rounding ~1e-7).
"""

from __future__ import annotations

from typing import Any

from llmpath.validators.api import Verdict, VerdictContext
from llmpath.validators.m10_lora import cases as c
from llmpath.validators.m10_lora import diagnose as dg
from llmpath.validators.m10_lora.unit_dropout import judge_dropout
from llmpath.validators.m10_lora.unit_layer import judge_known, judge_layer, judge_layer_merge

Finding = tuple[str, str | None]  # (what is wrong, the likely bug)


def _error(section: Any) -> str | None:
    return section["error"] if isinstance(section, dict) and "error" in section else None


def judge_apply(rec: Any) -> list[Finding]:
    """apply_lora on the toy model: the right layers wrapped, nothing else trainable, the base unchanged by a step."""
    where = f"apply_lora(model, r={c.TOY_R}, alpha={c.TOY_ALPHA:g}, targets={c.TARGETS}) on llmpath's toy model"
    if (err := _error(rec)) is not None:
        return [(f"{where} raised {err}", None)]
    out: list[Finding] = []
    if rec["returned_none"]:
        out.append((f"{where} returned None", "apply_lora must return the model (changing it in place is fine)"))
    linears = c.toy_linears()
    names = [n for n, *_ in linears]
    kinds = rec["kinds"]
    adapted = {n for n in names if kinds.get(n) == "lora"}
    want = {n for n in names if dg.matches(n, c.TARGETS)}
    if adapted != want:
        out.append(
            (f"{where} wrapped {sorted(adapted)}; expected {sorted(want)}", dg.target_rule(adapted, names, c.TARGETS))
        )
    changed = {n: k for n, k in kinds.items() if n not in adapted and k != "linear"}
    if changed:
        out.append((f"untargeted layers were changed: {changed}", "leave every layer that no target names as it was"))
    extra = [(n, size) for n, size, is_adapter in rec["trainable"] if not is_adapter]
    if extra:
        shown = ", ".join(f"{n} ({size})" for n, size in extra[:6]) + (
            f" and {len(extra) - 6} more" if len(extra) > 6 else ""
        )
        if all(n.endswith("bias") and any(n.startswith(a + ".") for a in adapted) for n, _ in extra):
            why = (
                "bias left trainable: loralib's lora.Linear freezes only the weight until "
                "mark_only_lora_as_trainable(model, bias='none') runs; here the layer freezes its bias too"
            )
        else:
            why = (
                "apply_lora does not freeze the rest of the model: only the adapters' A and B may train "
                "(peft's get_peft_model freezes every other parameter)"
            )
        out.append((f"trainable parameters besides the adapters' A and B: {shown}", why))
    expected = sum(c.TOY_R * (i + o) for n, i, o, _ in linears if n in want)
    ours = sum(size for _, size, _ in rec["trainable"])
    count = rec["count"]
    if (err := _error(count)) is not None:
        out.append((f"count_trainable(model) raised {err}", None))
    elif count != ours or ours != expected:
        out.append(
            (
                f"count_trainable(model) = {count}; llmpath counts {ours} parameters with requires_grad; "
                f"sum of r (in + out) over the targeted layers = {expected}",
                None,
            )
        )
    if rec["fresh_diff"] > 0:
        out.append(
            (
                f"right after apply_lora the model's output changed by up to {rec['fresh_diff']:.3g}",
                "fresh adapters must leave the model's output exactly as it was (B = 0)",
            )
        )
    step = rec["step"]
    if (err := _error(step)) is not None:
        out.append((f"a backward pass and an SGD step over model.parameters() raised {err}", None))
    else:
        if step["changed"]:
            out.append(
                (
                    f"an SGD step over model.parameters() changed frozen parameters: {step['changed'][:6]}",
                    "base not frozen: everything but A and B needs requires_grad=False, or any optimizer over "
                    "model.parameters() trains the base (handing only the adapters to the optimizer hides this)",
                )
            )
        if step["moved"] <= 0:
            out.append(("after one SGD step the model's output did not move", "the adapters never learn"))
    return out


def judge_count(got: Any) -> list[Finding]:
    counts = c.tied_counts()
    if (err := _error(got)) is not None:
        return [(f"count_trainable on a model with a tied embedding raised {err}", None)]
    if got != counts["unique"]:
        return [
            (
                f"count_trainable on a model with a tied embedding/head, a frozen layer and a buffer = {got}; "
                f"expected {counts['unique']}",
                dg.count_words(got, counts),
            )
        ]
    return []


def verdict_lora(raw: dict, ctx: VerdictContext) -> Verdict:
    t = _tensors(ctx.seed)
    findings: list[Finding] = []
    sections = (
        ("layer", lambda r: judge_layer(r, t)),
        ("known", lambda r: judge_known(r, t)),
        ("layer", lambda r: judge_layer_merge(r, t)),
        ("dropout", lambda r: judge_dropout(r, t)),
        ("apply", judge_apply),
        ("count_tied", judge_count),
    )
    for key, judge in sections:
        findings += judge(raw.get(key))
    setup = (
        f"float64, seed {ctx.seed}: nn.Linear({c.IN}, {c.OUT}) and ({c.SQ}, {c.SQ}) with r={c.R}, alpha={c.ALPHA:g} "
        f"on inputs of shape {(*c.X_SHAPE, c.IN)}; apply_lora on a {c.LAYERS}-block toy model"
    )
    if not findings:
        return Verdict.passed(
            "LoRALinear, merge, apply_lora and count_trainable behave as LoRA should",
            f"fresh layer = base layer bitwise; update = (alpha / r) x A^T B^T; only A and B train; the base is "
            f"unchanged by an optimizer step; A's first gradient is zero and B's is not; merged = unmerged; "
            f"dropout only in training; targets matched by full name or '.suffix' ({setup})",
            metrics={
                "trainable_toy": float(
                    sum(c.TOY_R * (i + o) for n, i, o, _ in c.toy_linears() if dg.matches(n, c.TARGETS))
                )
            },
        )
    first, diagnosis = findings[0]
    details = [f"- {text}" + (f" [likely: {why}]" if why else "") for text, why in findings[1:]]
    more = f" (+{len(findings) - 1} more below)" if len(findings) > 1 else ""
    return Verdict.failed(first + more, *details, f"checked on: {setup}", diagnosis=diagnosis)


def _tensors(seed: int) -> dict:
    """The judge's arrays (float64 numpy), regenerated here, never taken from the child."""
    return c.tensors(seed)
