"""``llmpath plot M9`` draws every M9 entry's bits per byte against its parameter count, floor as asymptote."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from llmpath.datasets import entropy_floor
from llmpath.errors import UsageError
from llmpath.logs import append_experiment
from llmpath.plotting.m9 import fit, plot_m9, points


def _workspace(tmp_path: Path, entries: list[dict[str, float]]) -> Path:
    (tmp_path / "milestones").mkdir()
    (tmp_path / "roadmap.yaml").touch()
    for metrics in entries:
        append_experiment(
            tmp_path, milestone="M9", objective="scale", setup="s", metrics=metrics, visualization=None,
            notes="", commit=None, dirty=False,
        )
    append_experiment(
        tmp_path, milestone="M7", objective="other", setup="s", metrics={"params": 1e5, "bits_per_byte": 0.4},
        visualization=None, notes="", commit=None, dirty=False,
    )
    return tmp_path


def test_draws_every_m9_entry_with_both_metrics(tmp_path):
    floor = entropy_floor().bits_per_byte
    sizes = [5e4, 1e5, 2.2e5, 5e5]
    entries = [{"params": n, "bits_per_byte": floor + 3.0 * n**-0.4} for n in sizes]
    ws = _workspace(tmp_path, [*entries, {"perplexity": 2.0, "bits_per_byte": 0.4}])
    pts, skipped = points(ws)
    assert len(pts) == 4 and skipped == ["E0005"]
    a, alpha = fit(pts, floor)
    assert math.isclose(alpha, 0.4, rel_tol=1e-6) and math.isclose(a, 3.0, rel_tol=1e-6)
    path = plot_m9(ws)
    assert path == ws / "visualizations" / "M9_scaling.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_one_point_is_drawn_without_a_fit(tmp_path):
    ws = _workspace(tmp_path, [{"params": 220224, "bits_per_byte": 0.32}])
    assert fit(points(ws)[0], entropy_floor().bits_per_byte) is None
    out = tmp_path / "elsewhere" / "m9.png"
    assert plot_m9(ws, out) == out and out.is_file()


def test_no_entry_with_both_metrics_is_a_usage_error(tmp_path):
    ws = _workspace(tmp_path, [{"bits_per_byte": 0.32}])
    with pytest.raises(UsageError, match="no M9 experiment entry logs both `params` and `bits_per_byte`.*E0001"):
        plot_m9(ws)
    assert not (ws / "visualizations" / "M9_scaling.png").exists()
