"""M14: your capstone's entry point. Grow it into a project of your own design (see DESIGN.md).

llmpath calls ``evaluate(seed)`` in a fresh process, twice with the same seed (the metrics must be
identical), and recomputes every number you log in an M14 experiment entry. Split the code into
modules beside this file (they are importable from here and from tests/), and reuse your own work
from an earlier milestone: import it (``from milestones.M8.bpe import BPETokenizer``) or copy it here.
"""

from __future__ import annotations


def evaluate(seed: int) -> dict[str, float]:
    """Run the system end to end on data drawn from ``seed``; return its metrics and a baseline's.

    Name a baseline after the metric it sits beside: ``{"accuracy": 0.91, "baseline_accuracy": 0.62}``.
    Every random choice must come from ``seed`` (``random.Random(seed)``, ``numpy.random.default_rng(seed)``,
    ``torch.manual_seed(seed)``), so that the same seed always gives the same numbers.
    """
    raise NotImplementedError("evaluate: your capstone, from data to metrics beside a baseline")


if __name__ == "__main__":
    print(evaluate(0))
