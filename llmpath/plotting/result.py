"""What a picture comes with: where it was drawn, and the numbers it shows (for the experiment log)."""

from __future__ import annotations

import dataclasses
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class Picture:
    path: Path
    metrics: dict[str, float]  # measured while drawing, named as the milestone's checks expect them
    objective: str  # what the picture compares, for the experiment entry
    setup: str  # how it was run
