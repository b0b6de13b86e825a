"""m7.history: loss_history.json is well formed and its losses fall."""

from __future__ import annotations

import json
import math
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from llmpath.validators.api import BadOutput, Verdict, VerdictContext

HISTORY = "loss_history.json"


class HistoryParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min_entries: int = 3
    min_drop: float = 0.5  # nats/char from the first quarter of training to the last


def read_history(path: Path) -> list[dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BadOutput(f"{HISTORY} cannot be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise BadOutput(f"{HISTORY} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(data, list):
        raise BadOutput(f"{HISTORY} holds a {type(data).__name__}, expected a list of {{step, train_loss, val_loss}}")
    for i, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise BadOutput(f"{HISTORY}[{i}] is not an object")
        step, train, val = entry.get("step"), entry.get("train_loss"), entry.get("val_loss", "missing")
        if not isinstance(step, int) or isinstance(step, bool):
            raise BadOutput(f"{HISTORY}[{i}].step must be an integer, got {step!r}")
        if not isinstance(train, (int, float)) or isinstance(train, bool):
            raise BadOutput(f"{HISTORY}[{i}].train_loss must be a number, got {train!r}")
        if val is not None and (not isinstance(val, (int, float)) or isinstance(val, bool)):
            raise BadOutput(f"{HISTORY}[{i}].val_loss must be a number or null, got {val!r}")
    return data


def _verdict_history(raw: dict, ctx: VerdictContext) -> Verdict:
    from llmpath.datasets import entropy_floor

    path = ctx.milestone_dir / HISTORY
    if not path.is_file():
        return Verdict.failed(
            f"milestones/{ctx.milestone}/{HISTORY} does not exist",
            'train.py writes it: [{"step": 0, "train_loss": 3.9, "val_loss": 3.9}, ...]',
        )
    history = read_history(path)
    p = ctx.params
    if len(history) < p.min_entries:
        return Verdict.failed(f"{HISTORY} has {len(history)} entries; record at least {p.min_entries} over training")
    steps = [e["step"] for e in history]
    if any(b <= a for a, b in zip(steps, steps[1:])) or steps[0] < 0:
        return Verdict.failed(f"{HISTORY}: steps must be >= 0 and strictly increasing, got {steps[:8]}...")
    train = [float(e["train_loss"]) for e in history]
    val = [(e["step"], float(e["val_loss"])) for e in history if e.get("val_loss") is not None]
    insane = [(e["step"], x) for e, x in zip(history, train) if not (math.isfinite(x) and 0 <= x < 50)]
    insane += [(s, x) for s, x in val if not (math.isfinite(x) and 0 <= x < 50)]
    if insane:
        return Verdict.failed(
            f"{HISTORY} has impossible loss values (step, loss): {insane[:4]}",
            diagnosis="a cross-entropy in nats per character is finite and between 0 and about ln(vocab_size)",
        )
    if len(val) < 2:
        return Verdict.failed(f"{HISTORY} has {len(val)} validation losses; evaluate on the val split at least twice")
    q = max(1, len(train) // 4)
    first, last = sum(train[:q]) / q, sum(train[-q:]) / q
    metrics = {"final_train_loss": train[-1], "final_val_loss": val[-1][1], "entries": float(len(history))}
    if last > first - p.min_drop or val[-1][1] >= val[0][1]:
        return Verdict.failed(
            f"the loss does not fall: train loss {first:.3f} -> {last:.3f} (mean of the first and last quarter), "
            f"val loss {val[0][1]:.3f} -> {val[-1][1]:.3f}",
            f"expected a drop of at least {p.min_drop} nats/char",
            diagnosis="is the optimizer stepping (zero_grad, backward, step in that order) and the learning rate sane?",
            metrics=metrics,
        )
    floor = entropy_floor().nats_per_char
    low = min(val, key=lambda sv: sv[1])
    if low[1] < floor - 0.05:
        return Verdict.failed(
            f"the validation loss {low[1]:.3f} at step {low[0]} is below the entropy floor {floor:.3f}",
            diagnosis="the model was trained on targets it can see: when m7.causality passes, the targets are "
            "probably the inputs themselves (they must be shifted by one: y = x[1:]); else the causal mask is missing; "
            "or validation data is in the training set",
            metrics=metrics,
        )
    return Verdict.passed(
        f"the loss falls: train {first:.3f} -> {last:.3f}, val {val[0][1]:.3f} -> {val[-1][1]:.3f} over "
        f"{steps[-1]} steps",
        metrics=metrics,
    )
