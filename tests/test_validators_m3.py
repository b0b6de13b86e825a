"""M3 validators proven on the reference, correct variants, a bug bank, the stub and fabricated outputs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from llmpath.templates import template_root
from llmpath.validators import m3_optim as m3
from llmpath.validators.api import BadOutput, VerdictContext
from tests.judgeutil import SOLUTIONS, judge, lay_out, statuses, text
from tests.solutions.M3.bugs import BUGS, VARIANT_BUGS

M3 = SOLUTIONS / "M3"
PROBED = ["m3.optimizers", "m3.variant", "m3.convergence"]
TEMPLATE = template_root() / "milestones" / "M3"  # the starter files llmpath ships


@pytest.mark.parametrize("folder", ["reference", "variants/classic_forms", "variants/torch_arrangement"])
def test_correct_solutions_pass(tmp_path: Path, folder: str) -> None:
    results = judge(lay_out(tmp_path, "M3", M3 / folder), PROBED)
    assert statuses(results) == dict.fromkeys(PROBED, "passed"), text(results)
    metrics = next(r.metrics for r in results if r.validator == "m3.convergence")
    assert {"final_loss_sgd", "final_loss_momentum", "final_loss_adam"} <= set(metrics)


CASES = [("reference", bug) for bug in BUGS] + [
    (f"variants/{folder}", bug) for folder, bugs in VARIANT_BUGS.items() for bug in bugs
]


@pytest.mark.parametrize(("folder", "bug"), CASES, ids=[f"{f.split('/')[-1]}:{b.name}" for f, b in CASES])
def test_bug_fails_with_diagnosis(tmp_path: Path, folder: str, bug) -> None:
    results = judge(lay_out(tmp_path, "M3", M3 / folder, bug, "optimizers.py"), ["m3.optimizers", "m3.variant"])
    assert bug.status in statuses(results).values(), text(results)
    if bug.expect:
        assert bug.expect.lower() in text(results).lower(), text(results)


def test_starter_stub_is_not_implemented(tmp_path: Path) -> None:
    source = TEMPLATE if (TEMPLATE / "optimizers.py").is_file() else M3 / "stub"
    results = judge(lay_out(tmp_path, "M3", source), ["m3.optimizers"])
    assert statuses(results) == {"m3.optimizers": "error"}, text(results)
    assert "not implemented" in text(results)


# ---------------------------------------------------------------------------------------------
# verdicts on fabricated probe output (no child process)


def _ctx(tmp_path: Path, steps: int = 50) -> VerdictContext:
    return VerdictContext("M3", tmp_path / "milestones" / "M3", tmp_path, m3.Params(steps=steps), 0)


def _raw_run(run: tuple, index: int, steps: int, bug: str) -> dict:
    main, pair = m3.problems(np, 0, index, steps)
    return {
        "label": run[0],
        "main": m3.simulate(run[2], run[4], *main, bug),
        "pair": [m3.simulate(run[2], run[4], *p, bug) for p in pair],
        "rebound": False,
    }


def test_numpy_simulation_matches_torch_far_inside_the_tolerance() -> None:
    # the same update arranged differently (numpy vs torch's kernels) differs by ulps, not by 1e-10
    for index, run in list(enumerate(m3.CORE_RUNS)) + [(7, r) for r in m3.VARIANT_RUNS.values()]:
        main, _ = m3.problems(np, 0, index, 50)
        err = m3.traj_err(m3.simulate(run[2], run[4], *main, "none"), m3.torch_run(run[2], run[4], *main))
        assert err < 1e-13, (run[0], err)


KINDS = {run[2]: (i, run) for i, run in enumerate(m3.CORE_RUNS[:3])}
KINDS.update({run[2]: (7, run) for run in m3.VARIANT_RUNS.values()})
SIMULATED = [(kind, bug, meaning) for kind, (_i, run) in KINDS.items() for bug, meaning in m3.diagnoses(kind, run[4])]


@pytest.mark.parametrize(("kind", "bug", "meaning"), SIMULATED, ids=[f"{k}:{b}" for k, b, _ in SIMULATED])
def test_each_simulated_bug_gets_its_own_diagnosis(tmp_path: Path, kind: str, bug: str, meaning: str) -> None:
    index, run = KINDS[kind]
    failure = m3.judge_run(run, _raw_run(run, index, 50, bug), 0, index, 50)
    assert failure is not None
    assert failure[2] == meaning


def test_adam_without_bias_correction_names_the_first_step_ratio(tmp_path: Path) -> None:
    raw = {
        "runs": [_raw_run(run, i, 50, "no_bias" if run[2] == "adam" else "none") for i, run in enumerate(m3.CORE_RUNS)]
    }
    verdict = m3.verdict_optimizers(raw, _ctx(tmp_path))
    assert verdict.status == "failed"
    assert "3.16x" in verdict.diagnosis and "bias correction is missing" in verdict.diagnosis
    assert "first difference after step 1" in " ".join(verdict.details)


def test_unchanged_params_and_rebinding_are_named(tmp_path: Path) -> None:
    run = m3.CORE_RUNS[0]
    raw = _raw_run(run, 0, 50, "none")
    raw["main"] = [np.repeat(t[:1], 51, axis=0) for t in raw["main"]]
    raw["rebound"] = True
    summary, _details, diagnosis = m3.judge_run(run, raw, 0, 0, 50)
    assert "unchanged" in summary and "rebinds the list entry" in diagnosis


def test_a_few_steps_param(tmp_path: Path) -> None:
    raw = {"runs": [_raw_run(run, i, 5, "none") for i, run in enumerate(m3.CORE_RUNS)]}
    assert m3.verdict_optimizers(raw, _ctx(tmp_path, steps=5)).status == "passed"


def test_malformed_output_is_bad_output(tmp_path: Path) -> None:
    raw = {"runs": [_raw_run(run, i, 50, "none") for i, run in enumerate(m3.CORE_RUNS)]}
    raw["runs"][1]["main"][0] = raw["runs"][1]["main"][0][:10]
    with pytest.raises(BadOutput):
        m3.verdict_optimizers(raw, _ctx(tmp_path))
    with pytest.raises(BadOutput):
        m3.verdict_optimizers({"runs": []}, _ctx(tmp_path))


def test_variant_must_be_known(tmp_path: Path) -> None:
    verdict = m3.verdict_variant({"variant": "'lion'", "runs": []}, _ctx(tmp_path))
    assert verdict.status == "failed" and "'lion'" in verdict.summary and "AdamW" in " ".join(verdict.details)


def test_convergence_verdict_flags_divergence(tmp_path: Path) -> None:
    good = [1.0 / (1 + t) for t in range(m3.CONVERGENCE_STEPS + 1)]
    ok = m3.verdict_convergence({"curves": {"SGD": good, "Adam": good}}, _ctx(tmp_path))
    assert ok.status == "passed" and ok.metrics["final_loss_adam"] == good[-1]
    bad = m3.verdict_convergence({"curves": {"SGD": good, "Adam": good[::-1]}}, _ctx(tmp_path))
    assert bad.status == "failed" and "Adam" in " ".join(bad.details)
    with pytest.raises(BadOutput):
        m3.verdict_convergence({"curves": {"SGD": good[:5]}}, _ctx(tmp_path))


# ---------------------------------------------------------------------------------------------
# m3.experiments


def _log(ws: Path, objective: str, metrics: dict[str, float], setup: str = "", notes: str = "") -> None:
    logs = pytest.importorskip("llmpath.notebook.logs")
    logs.append_experiment(
        ws, milestone="M3", objective=objective, setup=setup, metrics=metrics,
        visualization=None, notes=notes, commit=None, dirty=False,
    )


def _experiments(ws: Path):
    pytest.importorskip("llmpath.notebook.logs")
    return m3.verdict_experiments({}, _ctx(ws))


def test_experiments_missing_everything(tmp_path: Path) -> None:
    verdict = _experiments(tmp_path)
    assert verdict.status == "failed"
    shown = " ".join(verdict.details)
    assert "found none" in shown and "llmpath log experiment --milestone M3" in shown and "ablation" in shown


def test_experiments_need_three_optimizers_and_an_ablation(tmp_path: Path) -> None:
    _log(tmp_path, "compare optimizers", {"final_loss_sgd": 0.1, "final_loss_adam": 0.01})
    verdict = _experiments(tmp_path)
    assert verdict.status == "failed" and "adam (entry E0001), sgd (entry E0001)" in " ".join(verdict.details)
    _log(tmp_path, "momentum alone", {"final_loss": 0.05}, setup="Momentum, beta=0.9, 200 steps")
    _log(tmp_path, "Learning-rate ablation for Adam", {"loss_lr_0.1": 0.02})  # one metric: not an ablation
    verdict = _experiments(tmp_path)
    assert verdict.status == "failed" and "an ablation" in " ".join(verdict.details)
    assert "found" not in " ".join(verdict.details)
    _log(tmp_path, "sweep", {"final_loss_lr_0.1": 0.02, "final_loss_lr_0.01": 0.2}, notes="an ablation of lr")
    verdict = _experiments(tmp_path)
    assert verdict.status == "passed", verdict
    assert verdict.metrics["optimizers_compared"] >= 3


def test_ablation_settings_are_not_optimizers(tmp_path: Path) -> None:
    # the README's own example: an ablation's final_loss_with / final_loss_without are settings
    _log(tmp_path, "convergence", {"final_loss_sgd": 0.3, "final_loss_adam": 0.004})
    _log(tmp_path, "ablation: Adam without bias correction", {"final_loss_with": 0.004, "final_loss_without": 0.09})
    verdict = _experiments(tmp_path)
    assert verdict.status == "failed" and "adam (entry E0001), sgd (entry E0001)" in " ".join(verdict.details)
    _log(tmp_path, "momentum", {"momentum_final_loss": 0.02})
    assert _experiments(tmp_path).status == "passed"


def test_experiments_of_other_milestones_do_not_count(tmp_path: Path) -> None:
    logs = pytest.importorskip("llmpath.notebook.logs")
    logs.append_experiment(
        tmp_path, milestone="M2", objective="ablation", setup="", visualization=None, notes="",
        metrics={"final_loss_sgd": 1.0, "final_loss_adam": 1.0, "final_loss_momentum": 1.0}, commit=None, dirty=False,
    )
    assert _experiments(tmp_path).status == "failed"


def test_registered_checks() -> None:
    names = [c.name for c in m3.CHECKS]
    assert names == ["m3.optimizers", "m3.variant", "m3.convergence", "m3.experiments"]
    assert dataclasses.replace(m3.CHECKS[3]).probe is None


@pytest.mark.parametrize(
    "kind, hp",
    [
        ("sgd", {"lr": 0.05}),
        ("momentum", {"lr": 0.03, "beta": 0.8}),
        ("nesterov", {"lr": 0.03, "beta": 0.9}),
        ("adam", {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8}),
        ("adam", {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-6}),
        ("adamw", {"lr": 0.02, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.05}),
        ("rmsprop", {"lr": 0.01, "alpha": 0.99, "eps": 1e-8}),
    ],
)
def test_functional_torch_reference_equals_the_optimizer_classes(kind, hp):
    """The fast reference (torch.optim's functional API) is torch.optim, bit for bit."""
    import numpy as np

    from llmpath.validators.m3_optim import torch_class_run, torch_functional_run

    rng = np.random.default_rng(3)
    params0 = [rng.normal(size=(3, 4)), rng.normal(size=(5,))]
    grads = [[rng.normal(size=(3, 4)), rng.normal(size=(5,)) * 1e-4] for _ in range(50)]
    fast = torch_functional_run(kind, hp, params0, grads)
    slow = torch_class_run(kind, hp, params0, grads)
    for a, b in zip(fast, slow):
        assert np.array_equal(a, b)
