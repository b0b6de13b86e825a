"""M10 in the real-roadmap walk: lay out the reference, then log the two entries m10.compare reproduces.

The numbers come from results.json, which the reference's finetune.py wrote when it trained and
saved adapter.pt and full.pt: its own test-split accuracy (the README's readout), its trainable
parameter counts and wall times. llmpath recomputes the accuracies and counts from the saved files.
M10 fine-tunes M9's model: the walk has laid out M9's reference in milestones/M9 before this.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "reference"


def lay_out(ws: Path) -> None:
    target = ws / "milestones" / "M10"
    target.mkdir(parents=True, exist_ok=True)
    for path in REFERENCE.iterdir():
        if path.is_file():
            shutil.copyfile(path, target / path.name)


def document(ws: Path, log: Callable[..., None]) -> None:
    results = json.loads((ws / "milestones" / "M10" / "results.json").read_text())
    for kind, objective, setup in (
        ("lora", "LoRA fine-tuning on the story endings", "r=8, alpha=16, every linear layer of the blocks"),
        ("full", "full fine-tuning on the story endings", "every parameter of the M9 model"),
    ):
        r = results[kind]
        log("experiment", "-m", "M10", "--objective", objective,
            "--setup", f"{setup}; {r['steps']} steps, AdamW lr {r['lr']:g}, seed {r['seed']}",
            "--metric", f"accuracy={r['accuracy']}", "--metric", f"trainable_params={r['trainable_params']}",
            "--metric", f"wall_time_s={r['wall_time_s']:.1f}")
