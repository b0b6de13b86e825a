"""``llmpath plot M7``: the loss curve of the learner's GPT against the corpus's known optimum.

Reads ``milestones/M7/loss_history.json`` (no learner code runs) and draws train and validation
loss against step, with the entropy floor (the best any model can do) and the character-bigram
baseline (what a model must beat to have learned anything) as horizontal lines.
"""

from __future__ import annotations

import math
from pathlib import Path

from llmpath.plotting.result import Picture

DEFAULT_OUT = Path("visualizations") / "M7_loss.png"


def plot_m7(workspace: Path, out: Path | None = None) -> Path:
    """Draw ``milestones/M7/loss_history.json`` into ``visualizations/M7_loss.png``; returns its path."""
    from llmpath.errors import UsageError
    from llmpath.validators.api import BadOutput
    from llmpath.validators.m7_gpt import CURVE_KEY, HISTORY, history_digest, read_history

    workspace = Path(workspace)
    path = workspace / "milestones" / "M7" / HISTORY
    if not path.is_file():
        raise UsageError(
            f"milestones/M7/{HISTORY} does not exist: nothing to plot yet",
            hint='train.py writes it: [{"step": 0, "train_loss": 3.9, "val_loss": 3.9}, ...]',
        )
    try:
        history = read_history(path)
    except BadOutput as exc:
        raise UsageError(f"cannot draw the M7 loss curve: {exc}") from None
    if not history:
        raise UsageError(f"cannot draw the M7 loss curve: milestones/M7/{HISTORY} is an empty list")
    target = Path(out) if out is not None else workspace / DEFAULT_OUT
    target.parent.mkdir(parents=True, exist_ok=True)
    # the digest of the history drawn: m7.loss_curve accepts the picture only while it shows this file
    _draw(history, target, {CURVE_KEY: history_digest(path)})
    return target


def draw_m7(workspace: Path, out: Path | None = None) -> Picture:
    """``plot_m7``, and the final losses it shows (for the experiment entry that logs the picture)."""
    from llmpath.validators.m7_gpt import HISTORY, read_history

    target = plot_m7(workspace, out)
    history = read_history(Path(workspace) / "milestones" / "M7" / HISTORY)
    metrics = {"final_train_loss": float(history[-1]["train_loss"])}
    vals = [e for e in history if e.get("val_loss") is not None]
    if vals:
        metrics["val_loss"] = float(vals[-1]["val_loss"])
    setup = f"{history[-1]['step']} steps (see train.py for the configuration)"
    return Picture(target, metrics, "train the mini GPT", setup)


def _draw(history: list[dict], target: Path, metadata: dict[str, str]) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    from llmpath.datasets import corpus_baselines, entropy_floor

    floor, bigram = entropy_floor().nats_per_char, corpus_baselines()["bigram"]

    def finite(x) -> float:
        return float(x) if x is not None and math.isfinite(float(x)) and float(x) > 0 else math.nan

    steps = [e["step"] for e in history]
    train = [finite(e["train_loss"]) for e in history]
    val = [(e["step"], finite(e["val_loss"])) for e in history if e.get("val_loss") is not None]

    fig = Figure(figsize=(7.5, 4.8), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.plot(steps, train, label="train loss", linewidth=1.2, alpha=0.8)
    if val:
        ax.plot([s for s, _ in val], [v for _, v in val], "o-", label="validation loss", linewidth=1.6, markersize=3)
    ax.axhline(bigram, color="grey", linestyle="--", linewidth=1, label=f"character bigram ({bigram:.2f})")
    ax.axhline(floor, color="black", linestyle=":", linewidth=1.2, label=f"entropy floor ({floor:.3f})")
    ax.set_yscale("log")
    plain = FuncFormatter(lambda y, _: f"{y:g}")  # 0.3, 1, 2 rather than 3x10^-1
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plain)
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy, nats per character (log scale)")
    ax.set_title("M7 · your GPT on the llmpath story corpus", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(target, format="png", metadata=metadata)
