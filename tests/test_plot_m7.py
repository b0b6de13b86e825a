"""``llmpath plot M7`` draws loss_history.json; refuses a missing or malformed file with a UsageError."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from llmpath.errors import UsageError
from llmpath.plotting.m7 import draw_m7, plot_m7

REFERENCE = Path(__file__).parent / "solutions" / "M7" / "reference"


def _workspace(tmp_path: Path, history: str | None) -> Path:
    (tmp_path / "milestones" / "M7").mkdir(parents=True)
    (tmp_path / "roadmap.yaml").touch()
    if history is not None:
        (tmp_path / "milestones" / "M7" / "loss_history.json").write_text(history)
    return tmp_path


def test_draws_the_reference_history(tmp_path):
    ws = _workspace(tmp_path, None)
    shutil.copy(REFERENCE / "loss_history.json", ws / "milestones" / "M7" / "loss_history.json")
    picture = draw_m7(ws)  # plot_m7's drawing, with the final losses it shows
    path = picture.path
    assert path == ws / "visualizations" / "M7_loss.png"
    assert 0.2 < picture.metrics["val_loss"] < 0.4 and "final_train_loss" in picture.metrics
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_custom_out_and_null_or_nonfinite_values(tmp_path):
    history = [
        {"step": 0, "train_loss": 3.9, "val_loss": 3.9},
        {"step": 10, "train_loss": 2.5, "val_loss": None},
        {"step": 20, "train_loss": 0.0, "val_loss": 2.0},
    ]
    ws = _workspace(tmp_path, json.dumps(history))
    out = tmp_path / "elsewhere" / "curve.png"
    assert plot_m7(ws, out) == out and out.is_file()


@pytest.mark.parametrize(
    "content,message",
    [
        (None, "does not exist"),
        ("{not json", "not valid JSON"),
        ('{"step": 0}', "expected a list"),
        ("[]", "empty"),
        ('[{"step": "0", "train_loss": 1.0, "val_loss": null}]', "step must be an integer"),
        ('[{"step": 0, "train_loss": "x", "val_loss": null}]', "train_loss must be a number"),
    ],
)
def test_missing_or_malformed_history_is_a_usage_error(tmp_path, content, message):
    ws = _workspace(tmp_path, content)
    with pytest.raises(UsageError, match=message):
        plot_m7(ws)
    assert not (ws / "visualizations" / "M7_loss.png").exists()
