"""m3.experiments: the experiment log compares optimizers and records an ablation."""

from __future__ import annotations

import re

from llmpath.validators.api import Verdict, VerdictContext

KNOWN_OPTIMIZERS = ("adamw", "adam", "rmsprop", "nesterov", "momentum", "sgd")
_FINAL = re.compile(r"^(?:final[_\-.]?loss[_\-.](?P<a>.+)|(?P<b>.+?)[_\-.]final[_\-.]?loss)$", re.IGNORECASE)
EXAMPLE = (
    'llmpath log experiment --milestone M3 --objective "compare SGD, Momentum and Adam" '
    '--setup "least squares, 200 steps" --metric final_loss_sgd=0.12 --metric final_loss_momentum=0.03 '
    "--metric final_loss_adam=0.01"
)
ABLATION_EXAMPLE = (
    'llmpath log experiment --milestone M3 --objective "ablation: Adam learning rate" '
    '--setup "lr in {0.1, 0.01}, everything else fixed" --metric final_loss_lr_0.1=0.02 --metric final_loss_lr_0.01=0.2'
)


def _named(text: str) -> list[str]:
    found = []
    for name in KNOWN_OPTIMIZERS:
        if re.search(rf"(?<![a-z]){name}(?![a-z])", text, re.IGNORECASE):
            found.append(name)
    return found


def verdict_experiments(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.errors import LlmpathError

    try:
        from llmpath.notebook.logs import read_experiments
    except ImportError:
        return Verdict.error("the experiment log reader (llmpath.notebook.logs) is not available")
    try:
        entries = read_experiments(ctx.workspace, milestone=ctx.milestone)
    except LlmpathError as exc:
        return Verdict.failed(f"the experiment log cannot be read: {exc.message}")
    optimizers: dict[str, str] = {}  # optimizer -> entry id
    ablation = None
    for e in entries:
        text = " ".join(str(x or "") for x in (e.objective, e.setup))
        is_ablation = "ablation" in (text + " " + str(getattr(e, "notes", "") or "")).lower()
        for metric in e.metrics:
            m = _FINAL.match(metric)
            if m:
                name = (m.group("a") or m.group("b")).lower()
                # in an ablation, final_loss_with / final_loss_lr_0.1 name settings, not optimizers
                if not is_ablation or name in KNOWN_OPTIMIZERS:
                    optimizers.setdefault(name, str(e.id))
            elif metric.lower() == "final_loss" and len(named := _named(text)) == 1:
                optimizers.setdefault(named[0], str(e.id))
        if ablation is None and is_ablation and len(e.metrics) >= 2:
            ablation = str(e.id)
    missing = []
    if len(optimizers) < 3:
        have = ", ".join(f"{k} (entry {v})" for k, v in sorted(optimizers.items())) or "none"
        missing.append(
            f"the convergence comparison: final losses of at least 3 optimizers are needed, found {have}; "
            f"log them as metrics final_loss_<optimizer>, e.g. `{EXAMPLE}`"
        )
    if ablation is None:
        missing.append(
            "an ablation: an M3 entry whose objective or setup says 'ablation', with at least 2 metrics "
            f"(one hyper-parameter varied), e.g. `{ABLATION_EXAMPLE}`"
        )
    if missing:
        return Verdict.failed(
            f"{ctx.milestone} experiment log: {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}, "
            f"{'something is' if len(missing) == 1 else 'two things are'} missing",
            *missing,
        )
    return Verdict.passed(
        f"experiments compare {len(optimizers)} optimizers ({', '.join(sorted(optimizers))}) and log an "
        f"ablation (entry {ablation})",
        metrics={"optimizers_compared": float(len(optimizers))},
    )
