"""The real curriculum, end to end: the reference solutions of M1–M14 complete their milestones.

Unlike the toy walk, this runs the real validators through the real roadmap.yaml (its parameters,
timeouts and documentation criteria), logs the entries a learner would (M9 onwards through each
milestone's ``tests/solutions/M#/walk.py``, which measures what it logs), draws the M3 and M7
pictures with `llmpath plot`, and ends with `llmpath verify --junit` re-judging every completion
from git.
"""

from __future__ import annotations

import importlib
import json
import shutil
from pathlib import Path

import pytest

from llmpath.errors import EXIT_OK
from tests.clihelp import cli, commit_all, git, init_repo
from tests.verifyhelp import assert_verify_green

SOLUTIONS = Path(__file__).parent / "solutions"

REFLECTION = (
    "Writing this milestone myself made the mechanics concrete. Each query is compared with every key, "
    "the softmax turns those scores into weights, and the output mixes the value vectors with them. "
    "I checked shapes at every step, compared my numbers with a trusted float64 reference, and learned "
    "why numerical stability matters as much as the formula: subtracting the maximum, averaging instead "
    "of summing, and keeping gradients accumulated where a value is used twice. Next I want to measure "
    "how these choices change training speed and final loss on the seeded data sets."
)


def _log(ws: Path, *args: str) -> None:
    res = cli("log", *args, cwd=ws)
    assert res.code == EXIT_OK, res.err


def _document(ws: Path, mid: str) -> None:
    if mid == "M3":
        assert cli("plot", "M3", cwd=ws).code == EXIT_OK
        _log(
            ws,
            "experiment",
            "-m",
            "M3",
            "--objective",
            "compare SGD, Momentum and Adam",
            "--setup",
            "least squares, 200 steps",
            "--metric",
            "final_loss_sgd=0.12",
            "--metric",
            "final_loss_momentum=0.03",
            "--metric",
            "final_loss_adam=0.01",
            "--visualization",
            "visualizations/M3_convergence.png",
        )
        _log(
            ws,
            "experiment",
            "-m",
            "M3",
            "--objective",
            "ablation: Adam learning rate",
            "--setup",
            "lr in {0.1, 0.01}",
            "--metric",
            "final_loss_lr_0.1=0.02",
            "--metric",
            "final_loss_lr_0.01=0.2",
        )
    if mid == "M7":
        assert cli("plot", "M7", cwd=ws).code == EXIT_OK
        _log(ws, "experiment", "-m", "M7", "--objective", "train the mini GPT", "--setup", "3 layers, 2500 steps",
             "--metric", "val_loss=0.25", "--visualization", "visualizations/M7_loss.png")
    _log(ws, "journal", "-m", mid, REFLECTION)


def _lay_out(ws: Path, mid: str) -> None:
    """The reference of ``mid`` as a learner would have it: walk.py where a milestone has one."""
    walk = SOLUTIONS / mid / "walk.py"
    if walk.is_file():
        module = importlib.import_module(f"tests.solutions.{mid}.walk")
        module.lay_out(ws)
        module.document(ws, lambda *args: _log(ws, *args))
        if mid != "M14":  # M14's walk logs its own reflection
            _log(ws, "journal", "-m", mid, REFLECTION)
        return
    target = ws / "milestones" / mid
    for path in (SOLUTIONS / mid / "reference").iterdir():
        if path.is_file():
            shutil.copyfile(path, target / path.name)
    _document(ws, mid)


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace in which the reference solutions completed M1..M14, in order, through the CLI."""
    ws = tmp_path_factory.mktemp("walk") / "ws"
    assert cli("init", str(ws)).code == EXIT_OK
    init_repo(ws)
    for n in range(1, 15):
        mid = f"M{n}"
        _lay_out(ws, mid)
        commit_all(ws, f"{mid} done")
        res = cli("unlock", "next", "--json", cwd=ws)
        assert res.code == EXIT_OK, f"{mid}: {res.err}"
        assert json.loads(res.out)["completed"] == mid
    return ws


@pytest.mark.xdist_group("real-walk")
def test_reference_solutions_complete_every_milestone_under_the_real_roadmap(walked):
    status = json.loads(cli("status", "--json", cwd=walked).out)
    assert status["completed"] == status["total"] == 14 and status["current"] is None
    assert all(m["judged"] for p in status["phases"] for m in p["milestones"])
    tags = git(walked, "tag", "--list", "llmpath/*").split()
    assert sorted(tags) == sorted(f"llmpath/M{n}" for n in range(1, 15))
    assert not git(walked, "status", "--porcelain").strip()  # unlock committed its records each time


@pytest.mark.xdist_group("real-walk")
def test_the_walk_ends_with_a_green_verify(walked, tmp_path):
    doc = assert_verify_green(walked, tmp_path / "report.xml")
    assert doc["completed"] == 14 and doc["counts"]["verified"] == 14
