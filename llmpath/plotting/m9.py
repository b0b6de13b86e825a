"""``llmpath plot M9``: bits per byte against parameter count, one point per M9 experiment entry.

Reads ``experiments_log.md`` only (no learner code runs). Every entry tagged M9 that logs both
``bits_per_byte`` and ``params`` is a point; the corpus's entropy floor is drawn as the asymptote no
model can cross. With three or more points above the floor, the fit
``bits_per_byte = floor + a * params ** -alpha`` (a straight line through log(bpb - floor) against
log(params), least squares) shows how fast the gap to the floor closes: a small scaling law that is
honest because the floor is known, not fitted.
"""

from __future__ import annotations

import math
from pathlib import Path

DEFAULT_OUT = Path("visualizations") / "M9_scaling.png"
X, Y = "params", "bits_per_byte"


def points(workspace: Path) -> tuple[list[tuple[float, float, str]], list[str]]:
    """([(params, bits_per_byte, entry id)], ids of M9 entries that lack one of the two metrics)."""
    from llmpath.logs import read_experiments

    found, skipped = [], []
    for entry in read_experiments(workspace, milestone="M9"):
        x, y = entry.metrics.get(X), entry.metrics.get(Y)
        if x is not None and y is not None and x > 0 and math.isfinite(y) and y > 0:
            found.append((float(x), float(y), entry.id))
        elif x is not None or y is not None:
            skipped.append(entry.id)
    return found, skipped


def fit(pts: list[tuple[float, float, str]], floor: float) -> tuple[float, float] | None:
    """(a, alpha) of bpb = floor + a * params ** -alpha, or None with fewer than 3 usable points."""
    usable = [(math.log(x), math.log(y - floor)) for x, y, _ in pts if y > floor]
    if len({u for u, _ in usable}) < 3:
        return None
    n = len(usable)
    mx, my = sum(u for u, _ in usable) / n, sum(v for _, v in usable) / n
    slope = sum((u - mx) * (v - my) for u, v in usable) / sum((u - mx) ** 2 for u, _ in usable)
    return math.exp(my - slope * mx), -slope


def plot_m9(workspace: Path, out: Path | None = None) -> Path:
    """Draw every M9 entry's bits per byte against its parameter count; returns the PNG's path."""
    from llmpath.errors import LlmpathError, UsageError

    workspace = Path(workspace)
    try:
        pts, skipped = points(workspace)
    except LlmpathError as exc:
        raise UsageError(f"cannot draw the M9 plot: {exc.message}") from None
    if not pts:
        also = f" ({', '.join(skipped)} log only one of them)" if skipped else ""
        raise UsageError(
            f"no M9 experiment entry logs both `{X}` and `{Y}`: nothing to plot yet{also}",
            hint="llmpath log experiment -m M9 ... --metric params=220224 --metric bits_per_byte=0.32",
        )
    target = Path(out) if out is not None else workspace / DEFAULT_OUT
    target.parent.mkdir(parents=True, exist_ok=True)
    _draw(pts, target)
    return target


def _draw(pts: list[tuple[float, float, str]], target: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from llmpath.datasets.corpus import entropy_floor

    floor = entropy_floor().bits_per_byte
    fig = Figure(figsize=(7.5, 4.8), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    xs, ys = [x for x, _, _ in pts], [y for _, y, _ in pts]
    ax.plot(xs, ys, "o", color="tab:blue", markersize=6, label="your M9 runs")
    for x, y, entry_id in pts:
        ax.annotate(entry_id, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7, color="tab:blue")
    lo, hi = min(xs) / 2, max(xs) * 2
    law = fit(pts, floor)
    if law is not None:
        a, alpha = law
        grid = [lo * (hi / lo) ** (i / 99) for i in range(100)]
        ax.plot(grid, [floor + a * g**-alpha for g in grid], "-", color="tab:orange", linewidth=1.2,
                label=f"fit: floor + {a:.3g} · params^-{alpha:.2f}")
    ax.axhline(floor, color="black", linestyle=":", linewidth=1.2, label=f"entropy floor ({floor:.3f} bits/byte)")
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(floor * 0.95, max(ys) + 0.1 * (max(ys) - floor) + 0.01)
    ax.set_xlabel("parameters (log scale)")
    ax.set_ylabel("bits per byte on held-out text")
    ax.set_title("M9 · bits per byte against model size, on the llmpath story corpus", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(target, format="png")
