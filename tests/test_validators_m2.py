"""M2 validators proven on the reference, correct variants, a bug bank, the starter stub and fabricated outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from llmpath.templates import template_root
from llmpath.validators import m2_mlp as m2
from llmpath.validators.api import BadOutput, VerdictContext
from tests.judgeutil import SOLUTIONS, judge, lay_out, statuses, text
from tests.solutions.M2.bugs import BUGS

M2 = SOLUTIONS / "M2"
ALL = ["m2.gradients", "m2.stability", "m2.train"]
NUMERIC = ALL[:2]
TEMPLATE = template_root() / "milestones" / "M2"  # the starter files llmpath ships


@pytest.mark.parametrize("folder", ["reference", "variants/layer_lists", "variants/small_init_tanh"])
def test_correct_solutions_pass(tmp_path: Path, folder: str) -> None:
    results = judge(lay_out(tmp_path, "M2", M2 / folder), ALL)
    assert statuses(results) == dict.fromkeys(ALL, "passed"), text(results)
    train = next(r for r in results if r.validator == "m2.train")
    assert train.metrics["accuracy"] >= 0.95
    assert train.metrics["final_loss"] < 0.3


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_bug_fails_with_diagnosis(tmp_path: Path, bug) -> None:
    # train_* bugs need the training check; the others already fail the numeric checks, and
    # training on top would only cost time.
    checks = ALL if bug.name.startswith("train_") else NUMERIC
    results = judge(lay_out(tmp_path, "M2", M2 / "reference", bug, "mlp.py"), checks)
    assert bug.status in statuses(results).values(), text(results)
    if bug.expect:
        assert bug.expect.lower() in text(results).lower(), text(results)


@pytest.mark.parametrize("source", ["stub", "template"])
def test_starter_is_not_implemented(tmp_path: Path, source: str) -> None:
    folder = M2 / "stub" if source == "stub" else TEMPLATE
    if not (folder / "mlp.py").is_file():
        pytest.skip("the scaffolded template is not there")
    results = judge(lay_out(tmp_path, "M2", folder), ALL)
    assert statuses(results) == dict.fromkeys(ALL, "error"), text(results)
    assert all("not implemented" in r.summary for r in results), text(results)


# ---------------------------------------------------------------- inputs and reference


def test_cases_keep_relu_off_the_kink_and_are_seeded() -> None:
    p = m2.GradParams()
    for seed in range(5):
        for case in m2.grad_cases(seed, p):
            _, cache = m2.mlp_forward(case["params"], case["X"], case["activation"])
            assert all(np.min(np.abs(h)) > 1e-3 for _, h in cache[:-1])
            assert all(np.any(b != 0) for k, b in case["params"].items() if k.startswith("b"))
    a, b = m2.grad_cases(3, p)[0], m2.grad_cases(3, p)[0]
    assert np.array_equal(a["X"], b["X"]) and np.array_equal(a["params"]["W1"], b["params"]["W1"])


def test_stability_cases_reach_the_logit_scale() -> None:
    p = m2.StabilityParams()
    for case in m2.stability_cases(0, p):
        logits, _ = m2.mlp_forward(case["params"], case["X"], case["activation"])
        assert np.max(np.abs(logits)) == pytest.approx(p.logit_scale)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_reference_backprop_matches_finite_differences(activation: str) -> None:
    case = m2.case(0, 7, (5, 7, 6, 4), activation, 3)
    params, X, y = case["params"], case["X"], case["y"]
    _, grads = m2.mlp_loss_and_grads(params, X, y, activation)
    h = 1e-6
    for name, value in params.items():
        fd = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            old = value[idx]
            value[idx] = old + h
            plus = m2.mlp_loss_and_grads(params, X, y, activation)[0]
            value[idx] = old - h
            minus = m2.mlp_loss_and_grads(params, X, y, activation)[0]
            value[idx] = old
            fd[idx] = (plus - minus) / (2 * h)
        assert m2.rel_error(grads[name], fd) < 1e-6, name


def test_reference_matches_torch_autograd() -> None:
    torch = pytest.importorskip("torch")
    for activation in ("relu", "tanh"):
        case = m2.case(1, 3, (5, 7, 6, 4), activation, 3)
        tp = {k: torch.tensor(v, requires_grad=True) for k, v in case["params"].items()}
        a = torch.tensor(case["X"])
        for i in (1, 2, 3):
            a = a @ tp[f"W{i}"] + tp[f"b{i}"]
            if i < 3:
                a = torch.relu(a) if activation == "relu" else torch.tanh(a)
        loss = torch.nn.functional.cross_entropy(a, torch.tensor(case["y"]))
        loss.backward()
        ref_loss, grads = m2.mlp_loss_and_grads(case["params"], case["X"], case["y"], activation)
        assert ref_loss == pytest.approx(loss.item(), rel=1e-12)
        for k, g in grads.items():
            assert m2.rel_error(g, tp[k].grad.numpy()) < 1e-10, k


# ---------------------------------------------------------------- diagnosis functions


def _ref_grads(bug: str | None = None, activation: str = "relu"):
    case = m2.case(0, 1, (5, 7, 6, 4), activation, 3)
    return m2.mlp_loss_and_grads(case["params"], case["X"], case["y"], activation, bug)[1], case


def test_compare_grads_names_the_wrong_parameter() -> None:
    ref, _ = _ref_grads()
    got = {k: v.copy() for k, v in ref.items()}
    got["W2"] = got["W2"] * 1.5
    lines, wrong = m2.compare_grads(got, ref, 3)
    assert [m.split(" ")[0] for m, _ in wrong] == ["grads['W2']"]
    assert "1.5 times" in wrong[0][1]
    assert any(line.startswith("W2: WRONG") for line in lines) and any(line.startswith("W3: ok") for line in lines)


def test_compare_grads_reports_missing_and_misshapen() -> None:
    ref, _ = _ref_grads()
    got = {k: v for k, v in ref.items() if k != "b1"}
    got["W3"] = ref["W3"].T
    got["b2"] = ref["b2"][None, :]
    _, wrong = m2.compare_grads(got, ref, 3)
    found = {m: d or "" for m, d in wrong}
    assert "grads has no 'b1'" in " ".join(found) and "gradient of b1 is missing" in " ".join(found.values())
    assert "transposed" in next(d for m, d in found.items() if m.startswith("grads['W3']"))
    assert "keepdims" in next(d for m, d in found.items() if m.startswith("grads['b2']"))


def test_shape_diagnosis() -> None:
    ref = np.zeros(7)
    assert "wrong axis" in m2.shape_diagnosis("b1", np.zeros(3), ref, 3)
    assert "not summed over the batch" in m2.shape_diagnosis("b1", np.zeros((3, 7)), ref, 3)
    assert m2.shape_diagnosis("b1", np.zeros(5), ref, 3) is None


@pytest.mark.parametrize(
    ("activation", "bug"),
    [(act, bug) for act, bugs in m2.BACKPROP_BUGS.items() for bug in bugs],
)
def test_diagnose_grads_recognizes_every_known_backprop_bug(activation: str, bug: str) -> None:
    ref, case = _ref_grads(None, activation)
    got, _ = _ref_grads(bug, activation)
    cands = {w: m2.mlp_loss_and_grads(case["params"], case["X"], case["y"], activation, b)[1]
             for b, w in m2.BACKPROP_BUGS[activation].items()}
    assert m2.diagnose_grads(got, ref, cands, 3) == m2.BACKPROP_BUGS[activation][bug]


def test_diagnose_grads_common_factor_and_location() -> None:
    ref, _ = _ref_grads()
    assert "missing division by N" in m2.diagnose_grads({k: 3 * v for k, v in ref.items()}, ref, {}, 3)
    assert "sign flipped" in m2.diagnose_grads({k: -v for k, v in ref.items()}, ref, {}, 3)
    hidden_wrong = dict(ref, W1=ref["W1"] + 0.1)
    assert "backprop through the hidden layers" in m2.diagnose_grads(hidden_wrong, ref, {}, 3)
    no_bias = {k: (np.zeros_like(v) if k.startswith("b") else v) for k, v in ref.items()}
    assert "bias gradient is missing" in m2.diagnose_grads(no_bias, ref, {}, 3)
    assert m2.diagnose_grads(ref, ref, {}, 3) is None


# ---------------------------------------------------------------- verdicts on fabricated probe outputs


def _ctx(params) -> VerdictContext:
    return VerdictContext("M2", Path("/nonexistent"), Path("/nonexistent"), params, 0)


def _raw_cases(cases, forward_bug=None) -> dict:
    out = []
    for c in cases:
        logits, _ = m2.mlp_forward(c["params"], c["X"], c["activation"], forward_bug)
        result = m2.mlp_loss_and_grads(c["params"], c["X"], c["y"], c["activation"])
        out.append({"logits": logits, "result": result, "dtypes": {}})
    return {"cases": out}


def test_gradient_verdict_passes_reference_and_names_forward_bugs() -> None:
    p = m2.GradParams()
    cases = m2.grad_cases(0, p)
    assert m2.verdict_gradients(_raw_cases(cases), _ctx(p)).status == "passed"
    for bug, words in m2.FORWARD_BUGS.items():
        verdict = m2.verdict_gradients(_raw_cases(cases, bug), _ctx(p))
        assert verdict.status == "failed" and verdict.diagnosis == words, bug


def test_gradient_verdict_reports_params_with_the_wrong_shapes() -> None:
    p = m2.GradParams()
    raw = {"cases": [{"shapes": {"W1": (7, 5), "b1": (7,), "W2": (4, 7), "b2": (4,)}}] * 4}
    verdict = m2.verdict_gradients(raw, _ctx(p))
    assert verdict.status == "failed" and "transposed" in verdict.diagnosis
    assert "W1: (7, 5) (expected (5, 7))" in verdict.summary


def test_gradient_verdict_rejects_malformed_results() -> None:
    p = m2.GradParams()
    raw = _raw_cases(m2.grad_cases(0, p))
    raw["cases"][0]["result"] = (1.0,)
    with pytest.raises(BadOutput, match="loss, grads"):
        m2.verdict_gradients(raw, _ctx(p))


def _train_raw(losses, accuracy_ok: bool = True, init_std: float = 0.5) -> dict:
    p = m2.TrainParams()
    _, _, _, yt = m2.train_data(0, p)
    labels = yt if accuracy_ok else np.zeros_like(yt)
    logits = np.eye(p.classes)[labels] * 5.0
    return {"losses": list(losses), "logits": logits, "init_std": {"W1": init_std}, "train_seconds": 0.1}


def test_train_verdicts() -> None:
    p = m2.TrainParams()
    falling = np.linspace(1.1, 0.05, p.epochs)
    assert m2.verdict_train(_train_raw(falling), _ctx(p)).status == "passed"
    verdict = m2.verdict_train(_train_raw(np.full(p.epochs, 1.1), False), _ctx(p))
    assert "not updating model.params" in verdict.diagnosis
    verdict = m2.verdict_train(_train_raw(np.linspace(1.1, 5.0, p.epochs), False), _ctx(p))
    assert "lr sign" in verdict.diagnosis
    verdict = m2.verdict_train(_train_raw(np.linspace(1.1, 0.9, p.epochs), False, init_std=0.01), _ctx(p))
    assert "initial weights are tiny" in verdict.diagnosis
    verdict = m2.verdict_train(_train_raw(np.linspace(1.1, 0.9, p.epochs), False), _ctx(p))
    assert "not converged" in verdict.diagnosis
    verdict = m2.verdict_train(_train_raw(falling[:10]), _ctx(p))
    assert verdict.status == "failed" and "one per epoch" in verdict.summary
