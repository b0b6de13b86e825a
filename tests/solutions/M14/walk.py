"""M14 in the real-roadmap walk: lay out the reference capstone, then document it honestly.

The reference builds on the M8 reference tokenizer (a copy of ``tests/solutions/M8/reference/bpe.py``),
so the walk must have laid out M8's reference in ``ws/milestones/M8`` before M14 is checked.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "reference"
SEED = 7  # the seed the experiment entry logs; llmpath recomputes evaluate(7) and compares
REFLECTION = (
    "The capstone asked me to prove my own claims. Writing evaluate(seed) made every number come from one "
    "seeded call, so logging it and having it recomputed was easy; the byte bigram baseline showed that my "
    "BPE tokenizer saves about a third of the bits per byte. The mutation check found tests that only ran "
    "code without checking it, and fixing them taught me what a test is for."
)


def lay_out(ws: Path) -> None:
    """Copy the reference capstone into ``ws/milestones/M14`` (over the starter files)."""
    target = ws / "milestones" / "M14"
    for path in REFERENCE.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            dest = target / path.relative_to(REFERENCE)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)


def measured_metrics(ws: Path, seed: int = SEED) -> dict[str, float]:
    """``evaluate(seed)`` of the laid-out capstone, run the way llmpath runs it (a fresh process)."""
    from llmpath.validators.m14_capstone import spawn

    run = spawn.run({"mode": "evaluate", "seed": seed}, ws, ws / "milestones" / "M14", 120.0)
    assert run.result is not None and run.result.get("ok"), run.output
    return run.result["metrics"]


def document(ws: Path, log: Callable[..., None]) -> None:
    """The experiment entry (the seed and evaluate's numbers, exactly) and a reflection."""
    metrics = measured_metrics(ws)
    args = ["--metric", f"seed={SEED}"]
    for name, value in metrics.items():
        args += ["--metric", f"{name}={value!r}"]
    log(
        "experiment",
        "-m",
        "M14",
        "--objective",
        "does my BPE tokenizer help a bigram language model?",
        "--setup",
        f"evaluate({SEED}): 8,000 training and 3,000 held-out characters, 320 BPE ids, byte bigram baseline",
        *args,
    )
    log("journal", "-m", "M14", REFLECTION)
