"""M11 in the real-roadmap walk: lay out the reference, log the experiment its checks recompute."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

REFERENCE = Path(__file__).parent / "reference"
SEED, SPLIT = 0, "test"


def lay_out(ws: Path) -> None:
    """Copy the reference (rag.py and its evaluate.py) into ws/milestones/M11/."""
    target = ws / "milestones" / "M11"
    target.mkdir(parents=True, exist_ok=True)
    for name in ("rag.py", "evaluate.py"):
        shutil.copyfile(REFERENCE / name, target / name)


def document(ws: Path, log: Callable[..., None]) -> None:
    """Run the reference's own evaluation (as a learner would) and log its numbers for m11.eval."""
    run = subprocess.run(
        [sys.executable, "evaluate.py", "--seed", str(SEED), "--split", SPLIT],
        cwd=ws / "milestones" / "M11",
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(run.stdout)
    log(
        "experiment",
        "-m",
        "M11",
        "--objective",
        "BM25 with learned query expansion + pattern reader",
        "--setup",
        f"knowledge_base seed={SEED} split={SPLIT}, k=5",
        *(
            arg
            for name in ("exact_match", "f1", "recall_at_5", "mrr")
            for arg in ("--metric", f"{name}={measured[name]:.4f}")
        ),
    )
