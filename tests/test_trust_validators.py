"""Validators that passed work they did not check, and diagnoses that named the wrong cause (issue: trust).

Each case is a patch on a milestone's reference solution (or a small file of its own), judged in-process
(``judge_in_process``: the same probe and verdict as the sandbox, without a child per case).
"""

from __future__ import annotations

from pathlib import Path

from tests.judgeutil import SOLUTIONS, Bug, judge_in_process, lay_out, text


def _judge(tmp_path: Path, milestone: str, main: str, bug: Bug | None, checks: list[str], seed: int = 0):
    folder = lay_out(tmp_path, milestone, SOLUTIONS / milestone / "reference", bug=bug, main_file=main)
    results = judge_in_process(folder, checks, seed=seed)
    return {r.validator: r for r in results}, text(results)


# ---------------------------------------------------------------------------------------------
# checks that could not run their test must fail, never skip


def test_m6_a_block_without_mask_that_changes_shape_in_training_mode_fails(tmp_path):
    bug = Bug("no mask, other shape in train mode",
              "        return x\n", "        return x.unsqueeze(0) if self.training else x\n")
    results, shown = _judge(tmp_path, "M6", "transformer.py", bug, ["m6.block"])
    assert results["m6.block"].status == "failed", shown
    assert "causality test could not run" in shown
