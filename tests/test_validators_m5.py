"""M5 validators proven on the reference, correct variants, the starter stub and a bank of classic bugs.

Each solution folder is judged once (one child process runs both m5 checks); bugs are patches on
the reference (tests/solutions/M5/bugs.py). Verdicts are also unit-tested with fabricated outputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from llmpath.templates import template_root
from llmpath.validators import m5_attention as m5
from llmpath.validators.api import VerdictContext
from tests.judgeutil import SOLUTIONS, judge, judge_in_process, lay_out, statuses, text
from tests.solutions.M5.bugs import BUGS

HERE = SOLUTIONS / "M5"
MAIN = "attention.py"
CHECK_NAMES = ("m5.attention", "m5.causal_mask")
VARIANTS = sorted(p.name for p in (HERE / "variants").iterdir() if p.is_dir())
TEMPLATE = template_root() / "milestones" / "M5"  # the starter files llmpath ships


def _judge_folder(tmp_path: Path, source: Path, bug=None, *, sandbox: bool = True):  # noqa: ANN001, ANN202
    folder = lay_out(tmp_path, "M5", source, bug=bug, main_file=MAIN)
    run = judge if sandbox else judge_in_process
    return run(folder, list(CHECK_NAMES), seed=0)


def test_reference_passes(tmp_path: Path) -> None:
    results = _judge_folder(tmp_path, HERE / "reference")
    assert statuses(results) == dict.fromkeys(CHECK_NAMES, "passed"), text(results)


@pytest.mark.parametrize("variant", VARIANTS)
def test_variant_passes(tmp_path: Path, variant: str) -> None:
    results = _judge_folder(tmp_path, HERE / "variants" / variant)
    assert statuses(results) == dict.fromkeys(CHECK_NAMES, "passed"), text(results)


def test_starter_stub_is_not_implemented(tmp_path: Path) -> None:
    source = TEMPLATE if (TEMPLATE / MAIN).is_file() else HERE / "stub"
    results = _judge_folder(tmp_path, source)
    assert set(statuses(results).values()) == {"error"}, text(results)
    for r in results:
        assert "not implemented" in r.summary, text(results)


def test_bug_bank_is_big_enough() -> None:
    assert len(BUGS) >= 8
    assert len({b.name for b in BUGS}) == len(BUGS)


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_bug_fails_with_diagnosis(tmp_path: Path, bug) -> None:  # noqa: ANN001
    # in-process (no child per bug: ~1 s each); the sandbox path is proven above and by SANDBOXED_BUGS
    results = _judge_folder(tmp_path, HERE / "reference", bug=bug, sandbox=False)
    got = statuses(results)
    assert bug.status in got.values(), text(results)
    if bug.expect:
        failing = [r for r in results if r.status == bug.status]
        assert bug.expect.lower() in text(failing).lower(), text(results)


SANDBOXED_BUGS = ('missing 1/sqrt(d_k)', 'k.T on batched tensors')


@pytest.mark.parametrize("name", SANDBOXED_BUGS)
def test_bug_fails_the_same_way_in_the_sandbox(tmp_path: Path, name: str) -> None:
    bug = next(b for b in BUGS if b.name == name)
    results = _judge_folder(tmp_path, HERE / "reference", bug=bug)
    assert bug.status in statuses(results).values(), text(results)
    assert bug.expect and bug.expect.lower() in text(results).lower(), text(results)


# ----------------------------------------------------------------- verdicts on fabricated probe outputs


def _ctx(seed: int = 0) -> VerdictContext:
    return VerdictContext("M5", Path("."), Path("."), m5.ATTENTION.params(), seed)


def _raw_from(fn, seed: int = 0) -> dict:  # noqa: ANN001
    """What the probe would return for an implementation written in numpy (no child process)."""
    cases = []
    for case in m5.make_cases(seed):
        out, w = fn(case["q"], case["k"], case["v"], case["mask"])
        cases.append({"result": [out.astype(case["dtype"]), w.astype(case["dtype"])], "mutated": []})
    return {"cases": cases}


def _reference(q, k, v, mask):  # noqa: ANN001, ANN202
    out, w, _ = m5.reference(q, k, v, mask)
    return out, w


def test_verdict_passes_the_numpy_reference() -> None:
    v = m5.verdict_attention(_raw_from(_reference), _ctx())
    assert v.status == "passed", v


def test_verdict_flags_nan_rows_and_crashes() -> None:
    raw = _raw_from(_reference)
    raw["cases"][3]["result"][1] = raw["cases"][3]["result"][1] * np.nan
    v = m5.verdict_attention(raw, _ctx())
    assert v.status == "failed" and "nan" in (v.diagnosis or ""), v
    raw = _raw_from(_reference)
    raw["cases"][1] = {"error": "RuntimeError: The size of tensor a (3) must match the size of tensor b (7)"}
    v = m5.verdict_attention(raw, _ctx())
    assert v.status == "failed" and "k.transpose(-2, -1)" in (v.diagnosis or ""), v


def test_verdict_rejects_non_pairs() -> None:
    raw = _raw_from(_reference)
    raw["cases"][0]["result"] = {"type": "Tensor", "len": None}
    v = m5.verdict_attention(raw, _ctx())
    assert v.status == "failed" and "pair" in v.summary


def test_verdict_ratio_test_reports_the_scale() -> None:
    def doubled(q, k, v, mask):  # noqa: ANN001, ANN202 - logits twice too large: not a named factor
        return _reference(q * 2.0, k, v, mask)

    v = m5.verdict_attention(_raw_from(doubled), _ctx())
    assert v.status == "failed" and "2 times the expected" in (v.diagnosis or ""), v


def test_causal_mask_verdict_names_additive_masks() -> None:
    masks = []
    for n in m5.MASK_SIZES:
        additive = np.where(np.tril(np.ones((n, n), bool)), 0.0, -np.inf).astype(np.float32)
        masks.append({"type": "tensor", "dtype": "float32", "value": additive})
    v = m5.verdict_causal_mask({"masks": masks}, _ctx())
    assert v.status == "failed" and "additive" in (v.diagnosis or ""), v


def test_causal_mask_verdict_rejects_non_tensors() -> None:
    masks = [{"type": "ndarray", "dtype": None, "value": None} for _ in m5.MASK_SIZES]
    v = m5.verdict_causal_mask({"masks": masks}, _ctx())
    assert v.status == "failed" and "torch tensor" in v.summary


def test_verdict_names_mask_broadcasting_crashes() -> None:
    raw = _raw_from(_reference)
    raw["cases"][3] = {"error": "IndexError: The shape of the mask [3, 1, 1, 7] at index 1 does not match"}
    v = m5.verdict_attention(raw, _ctx())
    assert v.status == "failed" and "boolean indexing" in (v.diagnosis or ""), v
