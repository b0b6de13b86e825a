"""m10.compare: the LoRA and full fine-tuning entries of experiments_log.md, recomputed by llmpath.

Each method's latest M10 entry (objective mentioning "LoRA", or "full" without "LoRA") reports
``accuracy`` on the test split, ``trainable_params`` and ``wall_time_s``. The probe rebuilds both
models from adapter.pt and full.pt and scores the test split with llmpath's readout; the verdict
refuses an accuracy or a count it cannot reproduce, showing both.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from llmpath.validators.api import ProbeContext, Verdict, VerdictContext

METRICS = ("accuracy", "trainable_params", "wall_time_s")


class CompareParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # |reported - recomputed| accuracy on the 500 test stories: two stories' worth (a near-tie can flip
    # under other batch shapes or a GPU) plus rounding to three decimals.
    tol: float = Field(0.005, ge=0.0, lt=0.2)


def _test_prompts() -> list[str]:
    from llmpath.datasets.endings import ending_task

    return [p for p, _ in ending_task("test")]


def probe_compare(ctx: ProbeContext) -> dict:
    from llmpath.datasets.endings import ENDING_WORDS
    from llmpath.validators.m9_pretrain.loading import Problem, logits, problem
    from llmpath.validators.m9_pretrain.threads import OneThread
    from llmpath.validators.m10_lora import adapter, readout

    prompts = _test_prompts()
    with OneThread():
        try:
            a = adapter.adapted(ctx)
        except Problem as exc:
            return problem(exc)
        encode, block, vocab = adapter.encoder(a.base), a.base.block_size, a.base.vocab_size

        def score(model: Any) -> Any:
            return readout.scores(model, encode, prompts, list(ENDING_WORDS), block, lambda m, x: logits(m, x, vocab))

        out: dict[str, Any] = {"lora": score(a.model), "ours": a.ours, "total": a.total}
        try:
            out["full"] = score(adapter.full(ctx))
        except Problem as exc:
            out["full_problem"] = problem(exc)
        except Exception as exc:  # noqa: BLE001 - a missing full.pt is judged with the entries
            out["full_problem"] = {"problem": str(exc), "problem_diagnosis": None}
    return out


def _entries(ctx: VerdictContext) -> tuple[dict[str, Any], list[str]]:
    from llmpath.errors import LlmpathError
    from llmpath.notebook.logs import read_experiments

    try:
        entries = read_experiments(ctx.workspace, milestone=ctx.milestone)
    except LlmpathError as exc:
        return {}, [f"the experiment log cannot be read: {exc.message}"]
    found: dict[str, Any] = {}
    for e in entries:  # the latest entry of each method counts
        text = e.objective.lower()
        kind = "lora" if "lora" in text else "full" if "full" in text else None
        if kind:
            found[kind] = e
    return found, []


def _accuracy(scores: Any) -> float:
    import numpy as np

    from llmpath.datasets.endings import ending_task
    from llmpath.validators.m10_lora.readout import predictions

    labels = np.array([y for _, y in ending_task("test")])
    return float(np.mean(predictions(scores) == labels))


def _judge_entry(kind: str, e: Any, acc: float | None, params: int, tol: float) -> list[str]:
    """Problems with one method's entry (empty: its numbers are llmpath's)."""
    out = []
    missing = [m for m in METRICS if m not in e.metrics]
    if missing:
        return [f"{e.id} ({kind}) lacks the metric(s) {missing}; it has {sorted(e.metrics)}"]
    if acc is not None and abs(e.metrics["accuracy"] - acc) > tol:
        out.append(
            f"{e.id} ({kind}) reports accuracy {e.metrics['accuracy']:g}; llmpath measures {acc:.4f} on the "
            f"test split (tolerance {tol:g})"
        )
    if e.metrics["trainable_params"] != params:
        out.append(
            f"{e.id} ({kind}) reports trainable_params {e.metrics['trainable_params']:g}; llmpath counts {params:,}"
        )
    if not (math.isfinite(e.metrics["wall_time_s"]) and e.metrics["wall_time_s"] > 0):
        out.append(f"{e.id} ({kind}) reports wall_time_s {e.metrics['wall_time_s']:g}; a duration is > 0")
    return out


def verdict_compare(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.datasets.endings import ending_bayes_accuracy

    if "problem" in raw:
        return Verdict.failed(raw["problem"], diagnosis=raw.get("problem_diagnosis"))
    bayes, tol = ending_bayes_accuracy(), ctx.params.tol
    how = (
        'log one entry per method: llmpath log experiment -m M10 --objective "LoRA fine-tuning" --metric accuracy=... '
        '--metric trainable_params=... --metric wall_time_s=... (and one whose objective says "full fine-tuning")'
    )
    found, problems = _entries(ctx)
    lora_acc = _accuracy(raw["lora"])
    full_acc = None if "full" not in raw else _accuracy(raw["full"])
    metrics = {
        "lora_accuracy": lora_acc,
        "bayes_accuracy": bayes,
        "lora_trainable_params": raw["ours"],
        "full_trainable_params": raw["total"],
    }
    if full_acc is not None:
        metrics["full_accuracy"] = full_acc
    for kind in ("lora", "full"):
        if kind not in found:
            problems.append(
                f"no M10 experiment entry for {'LoRA' if kind == 'lora' else 'full fine-tuning'} "
                f"(its objective must mention {'LoRA' if kind == 'lora' else 'full'})"
            )
    if "lora" in found:
        problems += _judge_entry("LoRA", found["lora"], lora_acc, raw["ours"], tol)
    if "full" in found:
        problems += _judge_entry("full", found["full"], full_acc, raw["total"], tol)
    if full_acc is None:
        problems.insert(
            0,
            f"full.pt cannot be judged, so the full fine-tuning accuracy cannot be reproduced: "
            f"{raw['full_problem']['problem']}",
        )
    table = (
        f"test split (500 stories): LoRA {lora_acc:.3f} with {raw['ours']:,} trainable parameters; full "
        + (f"{full_acc:.3f}" if full_acc is not None else "?")
        + f" with {raw['total']:,}; Bayes accuracy {bayes:.4f}"
    )
    if problems:
        return Verdict.failed(
            problems[0],
            *problems[1:],
            table,
            how,
            metrics=metrics,
            diagnosis="report the numbers your fine-tuning script measured on ending_task('test') with "
            "the README's readout, and count with count_trainable"
            if len(found) == 2
            else None,
        )
    return Verdict.passed(
        f"LoRA and full fine-tuning reproduced: {table}",
        f"LoRA trains {raw['ours'] / raw['total']:.2%} of the parameters; wall time "
        f"{found['lora'].metrics['wall_time_s']:g} s vs {found['full'].metrics['wall_time_s']:g} s",
        metrics=metrics,
    )
