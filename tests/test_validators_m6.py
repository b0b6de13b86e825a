"""M6 validator proven on the reference, correct variants, the starter stub and a bank of classic bugs.

Each solution folder is judged once (one child process); bugs are patches on the reference
(tests/solutions/M6/bugs.py). The verdict is also unit-tested with fabricated probe outputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from llmpath.templates import template_root
from llmpath.validators import m6_transformer as m6
from llmpath.validators.api import VerdictContext
from tests.judgeutil import SOLUTIONS, judge, judge_in_process, lay_out, statuses, text
from tests.solutions.M6.bugs import BUGS

HERE = SOLUTIONS / "M6"
MAIN = "transformer.py"
CHECK_NAMES = ("m6.block",)
VARIANTS = sorted(p.name for p in (HERE / "variants").iterdir() if p.is_dir())
TEMPLATE = template_root() / "milestones" / "M6"  # the starter files llmpath ships


def _judge_folder(tmp_path: Path, source: Path, bug=None, *, sandbox: bool = True):  # noqa: ANN001, ANN202
    folder = lay_out(tmp_path, "M6", source, bug=bug, main_file=MAIN)
    run = judge if sandbox else judge_in_process
    return run(folder, list(CHECK_NAMES), seed=0)


def test_reference_passes(tmp_path: Path) -> None:
    results = _judge_folder(tmp_path, HERE / "reference")
    assert statuses(results) == dict.fromkeys(CHECK_NAMES, "passed"), text(results)
    assert results[0].metrics["n_params"] == m6.expected_counts(16, 24)["all biases"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_variant_passes(tmp_path: Path, variant: str) -> None:
    results = _judge_folder(tmp_path, HERE / "variants" / variant)
    assert statuses(results) == dict.fromkeys(CHECK_NAMES, "passed"), text(results)


def test_starter_stub_is_not_implemented(tmp_path: Path) -> None:
    source = TEMPLATE if (TEMPLATE / MAIN).is_file() else HERE / "stub"
    results = _judge_folder(tmp_path, source)
    assert statuses(results) == dict.fromkeys(CHECK_NAMES, "error"), text(results)
    assert "not implemented" in results[0].summary, text(results)


def test_bug_bank_is_big_enough() -> None:
    assert len(BUGS) >= 8
    assert len({b.name for b in BUGS}) == len(BUGS)


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_bug_fails_with_diagnosis(tmp_path: Path, bug) -> None:  # noqa: ANN001
    # in-process (no child per bug: ~1 s each); the sandbox path is proven above and by SANDBOXED_BUGS
    results = _judge_folder(tmp_path, HERE / "reference", bug=bug, sandbox=False)
    assert statuses(results) == {"m6.block": bug.status}, text(results)
    if bug.expect:
        assert bug.expect.lower() in text(results).lower(), text(results)


SANDBOXED_BUGS = ('causal mask missing', 'heads split without transpose')


@pytest.mark.parametrize("name", SANDBOXED_BUGS)
def test_bug_fails_the_same_way_in_the_sandbox(tmp_path: Path, name: str) -> None:
    bug = next(b for b in BUGS if b.name == name)
    results = _judge_folder(tmp_path, HERE / "reference", bug=bug)
    assert bug.status in statuses(results).values(), text(results)
    assert bug.expect and bug.expect.lower() in text(results).lower(), text(results)


# ----------------------------------------------------------------- the verdict on fabricated probe outputs

P = m6.BlockParams()


def _ctx() -> VerdictContext:
    return VerdictContext("M6", Path("."), Path("."), P, 0)


def _good_raw() -> dict:
    """What the probe returns for a correct block with every bias (a causal, batch-separable Jacobian)."""
    B, T, D, F = P.batch, P.seq_len, P.d_model, P.d_ff
    G = np.zeros((B, T, B, T))
    for b in range(B):
        G[b, :, b, :] = np.tril(np.ones((T, T))) * 0.5
    out = np.ones((B, T, D), dtype=np.float32)
    return {
        "shapes": [{"input": (b, t, D), "shape": (b, t, D), "dtype": "float32", "finite": True}
                   for b, t in ((B, T), (1, 1), (2, T + 5))],
        "jacobian": {"dtype": "float64", "double_error": None, "out_shape": (B, T, D), "finite": True,
                     "grad_norms": G},
        "gradients": [{"name": "w", "shape": (D, D), "grad": 0.3}],
        "counts": {"default": m6.expected_counts(D, 4 * D)["all biases"],
                   "d_ff": m6.expected_counts(D, F)["all biases"], "listing": [("w", (D, D))]},
        "eval": {"first": out, "second": out.copy()},
        "bad_heads": [{"d_model": d, "n_heads": h, "raised": "ValueError", "message": "no"} for d, h in m6.BAD_HEADS],
        "norms": [{"name": "ln1", "class": "LayerNorm", "changed": np.eye(8, dtype=bool)[7].reshape(2, 4)}],
    }


def test_verdict_passes_a_correct_block() -> None:
    v = m6.verdict_block(_good_raw(), _ctx())
    assert v.status == "passed", v


def test_verdict_flags_cross_batch_gradients_and_names_batchnorm() -> None:
    raw = _good_raw()
    raw["jacobian"]["grad_norms"][0, 2, 1, 0] = 1e-3
    raw["norms"] = [{"name": "ln1", "class": "BatchNorm1d", "error": "RuntimeError: running_mean"}]
    v = m6.verdict_block(raw, _ctx())
    assert v.status == "failed" and "influence each other" in v.summary, v
    assert "BatchNorm1d" in (v.diagnosis or ""), v


def test_verdict_names_a_mask_that_sees_one_step_ahead() -> None:
    raw = _good_raw()
    G = raw["jacobian"]["grad_norms"]
    for b in range(P.batch):
        G[b, :, b, :] += np.eye(P.seq_len, k=1) * 0.2
    v = m6.verdict_block(raw, _ctx())
    assert v.status == "failed" and "off by one" in (v.diagnosis or ""), v


def test_verdict_reports_positions_that_do_not_mix() -> None:
    raw = _good_raw()
    G = raw["jacobian"]["grad_norms"]
    for b in range(P.batch):
        G[b, :, b, :] = np.eye(P.seq_len)
    v = m6.verdict_block(raw, _ctx())
    assert v.status == "failed" and "do not mix" in v.summary, v


def test_verdict_reports_nan() -> None:
    raw = _good_raw()
    raw["jacobian"]["grad_norms"][:, 0] = np.nan
    raw["jacobian"]["finite"] = False
    v = m6.verdict_block(raw, _ctx())
    assert v.status == "failed" and "include the diagonal" in (v.diagnosis or ""), v


@pytest.mark.parametrize(
    ("kind", "ok"),
    [("all biases", True), ("no biases", True), ("no Linear biases, LayerNorm biases", True),
     ("Linear biases, no LayerNorm biases", True)],
)
def test_parameter_counts_with_and_without_biases(kind: str, ok: bool) -> None:
    for d, f in ((16, 24), (16, 64), (32, 80)):
        assert m6.count_ok(m6.expected_counts(d, f)[kind], d, f) is ok


def test_parameter_count_rejects_extra_layers_and_per_head_projections() -> None:
    d, f, h = 16, 24, 4
    assert not m6.count_ok(m6.expected_counts(d, f)["all biases"] + d * d, d, f)  # an extra Linear
    per_head = 3 * h * d * d + d * d + 2 * d * f + 2 * d  # one (d, d) projection per head for q, k, v
    assert not m6.count_ok(per_head, d, f)
    raw = _good_raw()
    raw["counts"]["d_ff"] = raw["counts"]["default"]  # built with 4 * d_model whatever d_ff says
    v = m6.verdict_block(raw, _ctx())
    assert v.status == "failed" and "d_ff is ignored" in (v.diagnosis or ""), v


def test_value_error_and_eval_determinism_verdicts() -> None:
    raw = _good_raw()
    raw["bad_heads"][0].update(raised="AssertionError", message="")
    raw["eval"]["second"] = raw["eval"]["second"] * 2
    v = m6.verdict_block(raw, _ctx())
    assert v.status == "failed" and "AssertionError" in v.summary, v
    assert "eval mode" in "\n".join(v.details) and "dropout stays active" in (v.diagnosis or ""), v


@pytest.mark.parametrize("bad", [{"d_model": 10, "n_heads": 4}, {"n_heads": 1}, {"d_ff": 64}, {"batch": 1}])
def test_params_reject_sizes_that_hide_bugs(bad: dict) -> None:
    with pytest.raises(ValueError):
        m6.BlockParams(**bad)


def test_verdict_rejects_a_forward_that_returns_a_tuple() -> None:
    raw = _good_raw()
    raw["shapes"][0] = {"input": (P.batch, P.seq_len, P.d_model), "type": "tuple"}
    raw["jacobian"] = {"type": "tuple"}
    v = m6.verdict_block(raw, _ctx())
    assert v.status == "failed" and "returned a tuple" in v.summary, v
