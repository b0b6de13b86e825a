"""``llmpath plot M3``: the learner's optimizers on a fixed least-squares problem, loss against step.

The optimizers run in the judge's sandbox (check ``m3.convergence``), never in llmpath's process;
only their loss curves come back, and matplotlib draws them here (Agg, no display needed).
"""

from __future__ import annotations

import math
from pathlib import Path

from llmpath.plotting.result import Picture

DEFAULT_OUT = Path("visualizations") / "M3_convergence.png"


def plot_m3(workspace: Path, out: Path | None = None) -> Path:
    """Run the convergence probe on ``milestones/M3/optimizers.py`` and draw it; returns the PNG's path."""
    return draw_m3(workspace, out).path


def draw_m3(workspace: Path, out: Path | None = None) -> Picture:
    """``plot_m3``, and the final losses it measured (named as the M3 experiment check reads them)."""
    from llmpath.errors import UsageError
    from llmpath.judge.run import ProbeFailed, run_probe
    from llmpath.validators.api import BadOutput
    from llmpath.validators.m3_optim import FILE, read_curves

    workspace = Path(workspace)
    milestone_dir = workspace / "milestones" / "M3"
    if not (milestone_dir / FILE).is_file():
        raise UsageError(f"milestones/M3/{FILE} does not exist: nothing to plot yet")
    try:
        raw = run_probe("M3", milestone_dir, workspace, "m3.convergence")
        curves = read_curves(raw)
    except ProbeFailed as exc:
        trace = "\n".join(exc.traceback)
        raise UsageError(
            f"cannot draw the M3 convergence plot: running your optimizers failed: {exc.message}"
            + (f"\n{trace}" if trace else ""),
            hint="run `llmpath check M3` to see which optimizer fails",
        ) from None
    except BadOutput as exc:
        raise UsageError(f"cannot draw the M3 convergence plot: {exc}") from None
    hyper = raw.get("hyper") if isinstance(raw.get("hyper"), dict) else {}

    target = Path(out) if out is not None else workspace / DEFAULT_OUT
    target.parent.mkdir(parents=True, exist_ok=True)
    _draw(curves, hyper, target)
    return _picture(target, curves, hyper)


def _picture(target: Path, curves: dict[str, list[float]], hyper: dict) -> Picture:
    """The final losses as the experiment log's M3 comparison names them (final_loss_<optimizer>)."""
    from llmpath.validators.m3_optim import CONVERGENCE_STEPS

    names = list(curves)
    settings = "; ".join(
        f"{n} " + ", ".join(f"{k}={v}" for k, v in (hyper.get(n) or {}).items()) for n in names
    )
    return Picture(
        target,
        {f"final_loss_{n.lower()}": curves[n][-1] for n in names},
        "compare " + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]),
        f"least squares, 10 features, condition number ~100, {CONVERGENCE_STEPS} steps from zero; {settings}",
    )


def _draw(curves: dict[str, list[float]], hyper: dict, target: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from llmpath.validators.m3_optim import CONVERGENCE_STEPS

    fig = Figure(figsize=(7.5, 4.8), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    for name, losses in curves.items():
        # a log axis cannot show 0, NaN or inf: leave gaps there (a diverging run simply stops)
        ys = [y if math.isfinite(y) and y > 0 else math.nan for y in losses]
        kw = hyper.get(name) if isinstance(hyper.get(name), dict) else {}
        label = name + (f" ({', '.join(f'{k}={v}' for k, v in kw.items())})" if kw else "")
        ax.plot(range(len(ys)), ys, label=label, linewidth=1.6)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss: ½ · mean squared error (log scale)")
    ax.set_title(
        f"M3 · your optimizers on least squares (10 features, condition number ~100, {CONVERGENCE_STEPS} steps)",
        fontsize=10,
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(target, format="png")
