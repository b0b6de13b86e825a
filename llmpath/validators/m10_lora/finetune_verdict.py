"""m10.finetune's verdict: the files, the counts, and the accuracy beside the Bayes rule on the same stories.

The Bayes rule (``ending_posterior(prompt) > 1/2``) is the best classifier there is; its expected
accuracy is the Bayes accuracy (7/8). On one sample of stories it scores that plus noise, and so
does any model that makes the same decisions: the gate compares the model with the Bayes rule on
the very same stories (paired), and the message also shows both beside the exact 7/8.
"""

from __future__ import annotations

import math

from llmpath.validators.api import Verdict, VerdictContext
from llmpath.validators.m10_lora.finetune import FRESH_SEED, file_findings


def _cells(seed: int, n: int):  # noqa: ANN202 - (labels, Bayes decisions, twist of each story)
    import numpy as np

    from llmpath.datasets.endings import GOOD, P_HAPPY, sample

    rows = sample(n, FRESH_SEED + seed)
    labels = np.array([y for _, y, _, _ in rows])
    bayes = np.array([int(P_HAPPY[e][t] > 0.5) for _, _, e, t in rows])
    kind = [("good " if e in GOOD else "bad ") + t for _, _, e, t in rows]
    return labels, bayes, kind


def verdict_finetune(raw: dict, ctx: VerdictContext) -> Verdict:
    import numpy as np

    from llmpath.datasets.endings import ending_bayes_accuracy
    from llmpath.validators.m10_lora.readout import predictions

    if "problem" in raw:
        return Verdict.failed(raw["problem"], diagnosis=raw.get("problem_diagnosis"))
    n = ctx.params.n_eval
    labels, rule, kind = _cells(ctx.seed, n)
    scores = np.asarray(raw["scores"], dtype=np.float64)
    if scores.shape != (n, 2) or not np.all(np.isfinite(scores)):
        return Verdict.failed(
            f"the model's scores on {n} stories are not finite (shape {scores.shape})",
            diagnosis="the logits contain nan or inf",
        )
    pred = predictions(scores)
    acc, rule_acc, agree = (
        float(np.mean(pred == labels)),
        float(np.mean(rule == labels)),
        float(np.mean(pred == rule)),
    )
    bayes = ending_bayes_accuracy()
    se = math.sqrt(bayes * (1 - bayes) / n)
    gate = rule_acc - ctx.params.max_gap
    share = raw["ours"] / raw["total"] if raw["total"] else 0.0
    metrics = {
        "accuracy": acc,
        "bayes_rule_accuracy": rule_acc,
        "bayes_accuracy": bayes,
        "stderr": se,
        "gate": gate,
        "agreement": agree,
        "trainable_params": raw["ours"],
        "trainable_share": share,
        "event_cut": raw["cut"],
    }
    where = (
        f"{n} fresh labelled stories (seed {ctx.seed}), LoRA r={raw['lora']['r']}, alpha={raw['lora']['alpha']:g}, "
        f"targets {raw['lora']['targets']}; {raw['ours']:,} of {raw['total']:,} parameters train ({share:.2%})"
    )
    numbers = (
        f"accuracy {acc:.3f}; the Bayes rule scores {rule_acc:.3f} on the same stories (its expectation, the "
        f"Bayes accuracy, is {bayes:.4f} ± {se:.3f}); gate {gate:.3f}; same decision as the Bayes rule on "
        f"{agree:.1%} of the stories"
    )
    findings = file_findings(raw)
    if findings:
        first, why = findings[0]
        more = [f"- {t}" + (f" [likely: {w}]" if w else "") for t, w in findings[1:]]
        return Verdict.failed(first, *more, numbers, where, diagnosis=why, metrics=metrics)
    if acc > bayes + 4 * se:
        return Verdict.failed(
            f"accuracy above the Bayes accuracy: {numbers}",
            where,
            metrics=metrics,
            diagnosis="no classifier beats the Bayes accuracy on fresh stories: the readout sees the label",
        )
    if acc < gate:
        return Verdict.failed(
            f"accuracy too low: {numbers}",
            _by_cell(pred, rule, kind),
            where,
            metrics=metrics,
            diagnosis=_why_low(acc, pred, rule, kind, raw),
        )
    return Verdict.passed(
        f"LoRA accuracy {acc:.3f} on fresh stories; the Bayes rule {rule_acc:.3f}, Bayes accuracy {bayes:.4f}",
        numbers,
        where,
        metrics=metrics,
    )


def _agreement(pred, rule, kind: list[str], prefix: str) -> float:  # noqa: ANN001
    picked = [i for i, k in enumerate(kind) if k.startswith(prefix) or k.endswith(prefix)]
    return float(sum(pred[i] == rule[i] for i in picked) / len(picked)) if picked else 1.0


def _by_cell(pred, rule, kind: list[str]) -> str:  # noqa: ANN001
    parts = [
        f"{cell}: {_agreement(pred, rule, kind, cell):.0%}"
        for cell in ("good none", "good storm", "good help", "bad none", "bad storm", "bad help")
    ]
    return "same decision as the Bayes rule, by event and twist: " + ", ".join(parts)


def _why_low(acc: float, pred, rule, kind: list[str], raw: dict) -> str:  # noqa: ANN001
    if raw["cut"] > 0.05:
        return (
            f"block_size {raw['block']} cuts the event sentence off {raw['cut']:.0%} of the stories: the judge keeps "
            "the last block_size tokens, and the label depends on that sentence"
        )
    if len(set(pred.tolist())) == 1:
        word = "happy" if pred[0] == 1 else "sad"
        return (
            f'the model answers "{word}" for every story: is the adapter trained and saved after training, and do '
            "you train with the README's readout (the ending's tokens after the prompt)?"
        )
    plain = min(_agreement(pred, rule, kind, "none"), 1.0)
    twists = min(_agreement(pred, rule, kind, "storm"), _agreement(pred, rule, kind, "help"))
    if plain >= 0.9 and twists < 0.8:
        return (
            "the model reads the event but not its twist (a storm turns a good event sad, help turns a bad one "
            "happy): train longer, or adapt more layers"
        )
    return "train longer (more steps, a warm-up and decaying learning rate) or adapt more layers (targets)"
