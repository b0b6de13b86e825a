"""``plot_m3`` runs the learner's optimizers in the sandbox and draws their loss curves."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmpath.errors import UsageError
from llmpath.plotting.m3 import draw_m3, plot_m3
from tests.judgeutil import SOLUTIONS, lay_out


def test_plot_from_the_reference_writes_a_png(tmp_path: Path) -> None:
    milestone_dir = lay_out(tmp_path, "M3", SOLUTIONS / "M3" / "reference")
    workspace = milestone_dir.parent.parent
    picture = draw_m3(workspace)  # plot_m3's drawing, with the final losses it measured
    path = picture.path
    assert path == workspace / "visualizations" / "M3_convergence.png"
    # named as m3.experiments reads them; least squares from zero falls well below its start
    assert {"final_loss_sgd", "final_loss_momentum", "final_loss_adam"} <= set(picture.metrics)
    assert all(0 <= v < 1 for v in picture.metrics.values())
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


def test_plot_to_a_chosen_path(tmp_path: Path) -> None:
    milestone_dir = lay_out(tmp_path, "M3", SOLUTIONS / "M3" / "variants" / "classic_forms")
    out = tmp_path / "pics" / "mine.png"
    assert plot_m3(milestone_dir.parent.parent, out) == out
    assert out.stat().st_size > 10_000


def test_learner_errors_become_usage_errors(tmp_path: Path) -> None:
    milestone_dir = lay_out(tmp_path, "M3", SOLUTIONS / "M3" / "stub")
    with pytest.raises(UsageError, match="not implemented"):
        plot_m3(milestone_dir.parent.parent)
    (milestone_dir / "optimizers.py").unlink()
    with pytest.raises(UsageError, match="does not exist"):
        plot_m3(milestone_dir.parent.parent)
