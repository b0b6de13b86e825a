"""Tests of your capstone: grow these beside your code (llmpath runs them with pytest).

Each test should check a result, not only run the code: llmpath changes your code in small ways
(a comparison flipped, a number changed, a return dropped) and expects a test to fail each time.
"""

import math

from capstone import evaluate


def test_evaluate_returns_metrics_beside_a_baseline():
    metrics = evaluate(0)
    assert metrics and all(isinstance(v, (int, float)) and math.isfinite(v) for v in metrics.values())
    assert any(name.startswith("baseline_") for name in metrics)


def test_evaluate_is_reproducible():
    assert evaluate(1) == evaluate(1)
