"""M1 validators proven on the reference, correct variants, a bug bank, the starter stub and fabricated outputs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from llmpath.templates import template_root
from llmpath.validators import m1_logreg as m1
from llmpath.validators.api import BadOutput, VerdictContext
from tests.judgeutil import SOLUTIONS, judge, lay_out, statuses, text
from tests.solutions.M1.bugs import BUGS

M1 = SOLUTIONS / "M1"
ALL = ["m1.sigmoid", "m1.loss_and_grad", "m1.train", "m1.derivation"]
TEMPLATE = template_root() / "milestones" / "M1"  # the starter files llmpath ships


@pytest.mark.parametrize("folder", ["reference", "variants/where_split", "variants/loops_log1p"])
def test_correct_solutions_pass(tmp_path: Path, folder: str) -> None:
    results = judge(lay_out(tmp_path, "M1", M1 / folder), ALL)
    assert statuses(results) == dict.fromkeys(ALL, "passed"), text(results)
    train = next(r for r in results if r.validator == "m1.train")
    assert train.metrics["bayes_accuracy"] == pytest.approx(m1_bayes(), abs=1e-12)
    assert train.metrics["accuracy"] >= train.metrics["bayes_accuracy"] - 0.02
    assert "Bayes 0.894" in train.summary


def m1_bayes() -> float:
    return 0.5 * (1 + math.erf(2.5 / 2 / math.sqrt(2)))


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_bug_fails_with_diagnosis(tmp_path: Path, bug) -> None:
    results = judge(lay_out(tmp_path, "M1", M1 / "reference", bug, "logistic_regression.py"), ALL)
    assert bug.status in statuses(results).values(), text(results)
    if bug.expect:
        assert bug.expect.lower() in text(results).lower(), text(results)


@pytest.mark.parametrize("source", ["stub", "template"])
def test_starter_is_not_implemented(tmp_path: Path, source: str) -> None:
    folder = M1 / "stub" if source == "stub" else TEMPLATE
    if not (folder / "logistic_regression.py").is_file():
        pytest.skip("the scaffolded template is not there")
    results = judge(lay_out(tmp_path, "M1", folder), ALL)
    got = statuses(results)
    assert [got[c] for c in ALL[:3]] == ["error"] * 3, text(results)
    assert all("not implemented" in r.summary for r in results[:3]), text(results)
    assert got["m1.derivation"] == "failed", text(results)  # headings and comments only


# ---------------------------------------------------------------- the diagnosis toolkit


def test_rel_error_is_cs231n_relative_error() -> None:
    assert m1.rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert m1.rel_error([1.0], [3.0]) == pytest.approx(0.5)
    assert m1.rel_error([1e-12], [0.0]) == pytest.approx(1e-4)  # floor 1e-8 on the denominator
    assert m1.rel_error([np.nan], [1.0]) == math.inf


def test_scale_factor_finds_a_common_factor_only() -> None:
    ref = np.array([0.3, -1.2, 0.7])
    assert m1.scale_factor(13 * ref, ref) == pytest.approx(13)
    assert m1.scale_factor(-ref, ref) == pytest.approx(-1)
    assert m1.scale_factor(np.zeros(3), ref) == 0.0
    assert m1.scale_factor(ref, ref) is None  # right
    assert m1.scale_factor(ref + [0, 0.1, 0], ref) is None  # not a multiple
    assert m1.scale_factor(np.ones(2), ref) is None  # shapes differ


@pytest.mark.parametrize(
    ("k", "words"),
    [
        (13.0, "missing division by N"),
        (-1.0, "sign flipped"),
        (0.0, "is zero"),
        (1 / 13, "divided by N twice"),
        (-13.0, "sign flipped and missing division by N"),
        (1 / math.log(2), "log base 2"),
        (2.0, "factor of 2"),
        (0.37, "0.37 times"),
    ],
)
def test_name_scale(k: float, words: str) -> None:
    assert words in m1.name_scale(k, 13, "dw")


def test_name_scale_for_scalars_names_only_known_factors() -> None:
    assert m1.name_scale(0.37, 13, "the loss", generic=False) is None
    assert "N=13" in m1.name_scale(13.0, 13, "the loss", generic=False)


def test_first_match() -> None:
    cands = {"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])}
    assert m1.first_match(np.array([3.0, 4.0]), cands) == "b"
    assert m1.first_match(np.array([3.0, 5.0]), cands) is None
    assert m1.first_match(np.array([3.0]), cands) is None


def test_as_array_and_as_scalar() -> None:
    assert m1.as_scalar(np.array([2.5]), "x") == 2.5
    assert m1.as_array([1, 2], (2,), "x").dtype == np.float64
    with pytest.raises(BadOutput, match="shape"):
        m1.as_array(np.zeros(3), (2,), "dw")
    with pytest.raises(BadOutput, match="single float"):
        m1.as_scalar(np.zeros(3), "db")
    with pytest.raises(BadOutput):
        m1.as_scalar("abc", "db")


# ---------------------------------------------------------------- the derivation check


@pytest.mark.parametrize(
    "text_",
    [
        "the gradient is σ(z) − y times x",
        r"$\frac{\partial \ell}{\partial z} = \sigma(z_i) - y_i$",
        r"\sigma\left(w^T x + b\right) - y",
        "dL/dz = sigmoid(z) - y",
        "error = p - y",
        "(p_i - y_i) x_i",
        r"(\hat{y} - y)",
        "ŷ − y",
        "y - sigmoid(z)",
        "`sigmoid(z) - y`",
        r"$\sigma(z^{(i)}) - y^{(i)}$",
        r"$p^{(i)} - y^{(i)}$",
    ],
)
def test_gradient_form_is_recognized(text_: str) -> None:
    assert m1.mentions_gradient_form(text_)


@pytest.mark.parametrize(
    "text_",
    [
        "the derivative of the sigmoid is sigma(z)(1 - sigma(z))",
        "step-by-step, the loop-yield is high",
        "we compute p and then y separately",
        "a deep-yellow plot",
        "",
    ],
)
def test_gradient_form_is_not_found_in_other_text(text_: str) -> None:
    assert not m1.mentions_gradient_form(text_)


def test_prose_words_ignore_headings_comments_and_code() -> None:
    text_ = "# Title\n<!-- a comment\nover lines -->\n## Part\nthree words here\n```\ncode code\n```\n"
    assert m1.prose_words(text_) == 3


def _derivation_ctx(tmp_path: Path, **params) -> VerdictContext:
    folder = tmp_path / "milestones" / "M1"
    folder.mkdir(parents=True, exist_ok=True)
    return VerdictContext("M1", folder, tmp_path, m1.DerivationParams(**params), 0)


def test_derivation_verdicts(tmp_path: Path) -> None:
    ctx = _derivation_ctx(tmp_path)
    assert m1.verdict_derivation({}, ctx).status == "failed"  # missing
    path = ctx.milestone_dir / "derivation.md"
    template = TEMPLATE / "derivation.md"
    path.write_text(template.read_text() if template.is_file() else (M1 / "stub" / "derivation.md").read_text())
    verdict = m1.verdict_derivation({}, ctx)
    assert verdict.status == "failed" and "0 words" in verdict.summary
    path.write_text("word " * 200)
    verdict = m1.verdict_derivation({}, ctx)
    assert verdict.status == "failed" and "sigmoid(z) - y" in verdict.summary
    path.write_text("word " * 200 + "so dL/dz = σ(z) − y.")
    assert m1.verdict_derivation({}, ctx).status == "passed"
    path.write_text("dL/dz = σ(z) − y.")
    assert m1.verdict_derivation({}, _derivation_ctx(tmp_path, min_words=3)).status == "passed"
    path.write_text((M1 / "reference" / "derivation.md").read_text())
    assert m1.verdict_derivation({}, ctx).status == "passed"


# ---------------------------------------------------------------- verdicts on fabricated probe outputs


def _ctx(params) -> VerdictContext:
    return VerdictContext("M1", Path("/nonexistent"), Path("/nonexistent"), params, 0)


def _sigmoid_raw(fn) -> dict:
    flat, grid = m1.sigmoid_inputs(0, 1000.0)
    with np.errstate(all="ignore"):
        return {"out": fn(flat), "out_grid": fn(grid), "warnings": []}


def test_sigmoid_verdict_accepts_the_naive_but_finite_form() -> None:
    with np.errstate(over="ignore"):
        verdict = m1.verdict_sigmoid(_sigmoid_raw(lambda z: 1 / (1 + np.exp(-z))), _ctx(m1.SigmoidParams()))
    assert verdict.status == "passed", verdict


def test_sigmoid_verdict_diagnoses_overflow_at_negative_z() -> None:
    raw = _sigmoid_raw(lambda z: np.where(z < -709, np.nan, 1 / (1 + np.exp(-np.maximum(z, -709)))))
    verdict = m1.verdict_sigmoid(raw, _ctx(m1.SigmoidParams()))
    assert verdict.status == "failed" and "exp(-z) is inf" in verdict.diagnosis


def test_sigmoid_verdict_rejects_wrong_shapes() -> None:
    raw = _sigmoid_raw(m1.stable_sigmoid)
    raw["out_grid"] = raw["out_grid"].ravel()
    with pytest.raises(BadOutput, match="elementwise"):
        m1.verdict_sigmoid(raw, _ctx(m1.SigmoidParams()))


def _lg_raw(loss_and_grad, p: m1.LossGradParams) -> dict:
    cases = m1.lg_cases(0, p.n, p.d, p.logit_scale)
    raw = {name: loss_and_grad(*case) for name, case in cases.items()}
    w, b, X, y = cases["random"]
    plus, minus = [], []
    for j in range(p.d + 1):
        e = np.zeros(p.d + 1)
        e[j] = p.fd_step
        plus.append(loss_and_grad(w + e[:-1], b + e[-1], X, y)[0])
        minus.append(loss_and_grad(w - e[:-1], b - e[-1], X, y)[0])
    raw["fd"] = {"plus": plus, "minus": minus}
    return raw


def test_loss_and_grad_verdict_passes_the_reference_and_sees_inconsistent_gradients() -> None:
    p = m1.LossGradParams()
    assert m1.verdict_loss_and_grad(_lg_raw(m1.lg_reference, p), _ctx(p)).status == "passed"

    def dw_twice(w, b, X, y):
        loss, dw, db = m1.lg_reference(w, b, X, y)
        return loss, 2 * dw, db

    verdict = m1.verdict_loss_and_grad(_lg_raw(dw_twice, p), _ctx(p))
    assert verdict.status == "failed" and "factor of 2" in verdict.diagnosis
    assert "finite differences of your own loss" in "\n".join(verdict.details)


def test_loss_and_grad_verdict_explains_a_consistent_but_wrong_loss() -> None:
    p = m1.LossGradParams()

    def summed(w, b, X, y):
        loss, dw, db = m1.lg_reference(w, b, X, y)
        return loss * len(y), dw * len(y), db * len(y)

    verdict = m1.verdict_loss_and_grad(_lg_raw(summed, p), _ctx(p))
    assert "missing division by N" in verdict.diagnosis
    assert "consistent with your loss" in "\n".join(verdict.details)


def test_loss_and_grad_verdict_rejects_a_wrong_return_shape() -> None:
    p = m1.LossGradParams()
    raw = _lg_raw(lambda w, b, X, y: m1.lg_reference(w, b, X, y)[:2], p)
    with pytest.raises(BadOutput, match=r"\(loss, dw, db\)"):
        m1.verdict_loss_and_grad(raw, _ctx(p))


def _train_raw(w, b, proba=None) -> dict:
    p = m1.TrainParams()
    _, _, Xt, _, _ = m1.train_data(0, p)
    w = np.asarray(w, dtype=np.float64)
    if proba is None:
        proba = m1.stable_sigmoid(Xt @ w + b)
    return {"w": w, "b": b, "proba": proba, "train_seconds": 0.0}


def test_train_verdict_reports_accuracy_and_bayes() -> None:
    from llmpath.datasets.classification import gaussian_bayes_rule
    from llmpath.validators.m1_logreg.inputs import rotation

    p = m1.TrainParams()
    w, b = gaussian_bayes_rule(p.d, p.separation)
    w = rotation(0, p.d) @ w  # the judge rotates the data (X @ R.T): the Bayes rule turns with it
    verdict = m1.verdict_train(_train_raw(w, b), _ctx(p))
    assert verdict.status == "passed"
    assert verdict.metrics["accuracy"] == pytest.approx(verdict.metrics["bayes_rule_sample_accuracy"])
    assert abs(verdict.metrics["accuracy"] - verdict.metrics["bayes_accuracy"]) < 0.01  # ~4 standard errors
    verdict = m1.verdict_train(_train_raw(-w, -b), _ctx(p))
    assert verdict.status == "failed" and "lr sign" in verdict.diagnosis
    with np.errstate(invalid="ignore"):
        raw = _train_raw([np.nan, 0.0], 0.0)
    verdict = m1.verdict_train(raw, _ctx(p))
    assert verdict.status == "failed" and "diverged" in verdict.diagnosis
    verdict = m1.verdict_train(_train_raw(w, b, proba=np.full(p.n_test, 2.0)), _ctx(p))
    assert verdict.status == "failed" and "outside [0, 1]" in verdict.diagnosis
