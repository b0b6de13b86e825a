"""Learner code that hangs, crashes, exits, floods output or cheats never reads as a pass."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from llmpath.judge.run import CheckSpec, run_checks

TOY = '''
import ctypes, os, sys, time

def answer():
    print("computing the answer")
    return 42

def wrong():
    return 41

def hang():
    while True:
        pass

def sleepy():
    time.sleep(60)

def segfault():
    return ctypes.string_at(0)

def hard_exit():
    os._exit(0)

def soft_exit():
    sys.exit(0)

def keyboard():
    raise KeyboardInterrupt

def huge():
    import numpy as np
    return np.ones(int(20e9 / 8)).sum()

def creep():
    # grows past the 600 MB cap, then waits: only the memory watch can stop it (no race with the clock)
    chunks = []
    for _ in range(14):
        chunks.append(bytearray(64 * 2**20))
        time.sleep(0.01)
    time.sleep(600)
    return len(chunks)

def flood():
    print("x" * 10_000_000)
    return 41

def stub():
    raise NotImplementedError("return the answer")

def cheat():
    import numpy as np
    np.allclose = lambda *a, **k: True
    np.testing.assert_allclose = lambda *a, **k: None
    return [9.0, 9.0, 9.0, 9.0, 9.0]

def unjudgeable():
    return object()

def vector():
    return [0.0, 1.0, 2.0, 3.0, 4.0]
'''


@pytest.fixture()
def milestone_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "milestones" / "M1"
    folder.mkdir(parents=True)
    (folder / "toy.py").write_text(TOY)
    return folder


def _run(
    milestone_dir: Path, functions: list[str], validator: str = "tests.toy_validators:ANSWER", timeout: float = 3.0
):
    specs = [
        CheckSpec(f"c{i}", f"M1.{fn}", validator, {"function": fn}, timeout_s=timeout, memory_mb=600)
        for i, fn in enumerate(functions)
    ]
    started = time.monotonic()
    results = run_checks("M1", milestone_dir, milestone_dir.parent.parent, specs)
    return {r.criterion.split(".")[1]: r for r in results}, time.monotonic() - started


@pytest.mark.parametrize(
    "function, status, words",
    [
        ("hang", "error", "exceeded its 3 s time limit"),
        ("sleepy", "error", "infinite loop"),
        ("segfault", "error", "segmentation fault"),
        ("hard_exit", "error", "exited (code 0) before returning a result"),
        ("soft_exit", "error", "sys.exit(0)"),
        ("keyboard", "error", "KeyboardInterrupt"),
        ("huge", "error", "memory"),
        ("creep", "error", "memory cap"),
        ("stub", "error", "`stub` is not implemented yet"),
        ("missing_function", "error", "defines no `missing_function`"),
        ("unjudgeable", "failed", "cannot be judged"),
    ],
)
def test_each_fault_is_an_error_with_a_clear_message_in_time(milestone_dir, function, status, words):
    timeout = 120.0 if function == "creep" else 3.0  # creep is the memory watch's alone, whatever the load
    results, elapsed = _run(milestone_dir, [function], timeout=timeout)
    result = results[function]
    assert result.status == status
    assert words in result.summary
    assert elapsed < 3.0 + 2.0 + 3.0 + (20.0 if function == "creep" else 0.0)  # timeout + 2 s + start-up


def test_one_child_survives_many_faults_and_later_checks_still_run(milestone_dir):
    order = ["answer", "hang", "wrong", "segfault", "hard_exit", "stub", "answer"]
    specs = [
        CheckSpec(f"c{i}", f"M1.c{i}", "tests.toy_validators:ANSWER", {"function": fn}, timeout_s=3, memory_mb=600)
        for i, fn in enumerate(order)
    ]
    results = run_checks("M1", milestone_dir, milestone_dir.parent.parent, specs)
    assert [r.status for r in results] == ["passed", "error", "failed", "error", "error", "error", "passed"]


def test_flooding_output_is_cut_and_does_not_block(milestone_dir):
    results, elapsed = _run(milestone_dir, ["flood"])
    result = results["flood"]
    assert result.status == "failed"
    assert len(result.output) < 6000 and "bytes of output cut" in result.output
    assert elapsed < 10


def test_output_is_kept_for_failures_only(milestone_dir):
    results, _ = _run(milestone_dir, ["answer"])
    assert results["answer"].status == "passed" and results["answer"].output == ""


def test_monkeypatching_numpy_in_the_child_cannot_turn_a_fail_into_a_pass(milestone_dir):
    results, _ = _run(milestone_dir, ["cheat", "vector"], validator="tests.toy_validators:VECTOR")
    assert results["cheat"].status == "failed"
    assert results["vector"].status == "passed"


def test_learner_traceback_is_cut_to_learner_frames(milestone_dir):
    results, _ = _run(milestone_dir, ["stub"])
    details = "\n".join(results["stub"].details)
    assert "milestones/M1/toy.py" in details
    assert "llmpath/" not in details


def test_a_probe_returning_none_is_judged_not_a_crash(milestone_dir):
    """A probe's raw value that is not a dict (None included) reaches the verdict as {"value": ...}."""
    (milestone_dir / "toy.py").write_text("def answer():\n    return None\n")
    results, _ = _run(milestone_dir, ["answer"], validator="tests.toy_validators:NONE")
    assert results["answer"].status == "failed" and "returned None" in results["answer"].summary
