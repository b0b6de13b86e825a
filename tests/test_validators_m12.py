"""M12 validators proven on the reference agent, two differently written variants, a bug bank and the stub.

The reference and the starter stub go through the real sandbox; variants and bugs run probe and
verdict in this process (codec round trip included), which is safe: agents are pure Python.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from llmpath.agents import evaluate, task_suite
from llmpath.templates import template_root
from llmpath.validators.api import VerdictContext
from llmpath.validators.m12_agent import report_check, success_check
from llmpath.validators.m12_agent.params import ReportParams, SuccessParams
from tests.judgeutil import (
    SOLUTIONS,
    heavy_imports_of_probes,
    judge,
    judge_in_process,
    lay_out,
    load_file,
    statuses,
    text,
)
from tests.solutions.M12.bugs import BUGS, CHECKS, LOUD, SILENT

M12 = SOLUTIONS / "M12"
REFERENCE = M12 / "reference"
VARIANTS = sorted(p for p in (M12 / "variants").iterdir() if p.is_dir())
STUB = template_root() / "milestones" / "M12"
CORE = ["m12.parse", "m12.outputs", "m12.robust", "m12.success"]
NAMES = [*CORE, "m12.report"]
SMALL = {"m12.success": {"n_tasks": 60, "k": 2}}  # enough for the rule checks; the rate gate is wide here


def _log_figures(folder: Path, agent_dir: Path, seed: int = 3, n: int = 40, k: int = 2, shift: float = 0.0) -> None:
    """Log an M12 experiment with the figures evaluate() gives for the agent in ``agent_dir`` (+ ``shift``)."""
    from llmpath.notebook.logs import append_experiment

    module = load_file(agent_dir / "agent.py", "agent", search=agent_dir)
    report = evaluate(lambda model, tools: module.Agent(model, tools, max_steps=8), task_suite(seed, n), k=k)
    metrics = {"success_rate": round(report.success + shift, 4), "pass_k": round(report.pass_k, 4), "seed": seed,
               "n_tasks": n, "k": k, "max_steps": 8}
    append_experiment(folder.parent.parent, milestone="M12", objective="success rate", setup="evaluate()",
                      metrics=metrics, visualization=None, notes="", commit=None, dirty=False)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, list]:
    folder = lay_out(tmp_path_factory.mktemp("m12ref"), "M12", REFERENCE)
    _log_figures(folder, REFERENCE)
    return folder, judge(folder, NAMES)


def test_reference_passes_every_check(reference) -> None:
    _, results = reference
    assert statuses(results) == dict.fromkeys(NAMES, "passed"), text(results)
    m = next(r.metrics for r in results if r.validator == "m12.success")
    assert abs(m["success_rate"] - m["optimum"]) <= m["margin"]
    assert m["pass_k"] <= 1 and 0.7 < m["pass_k_optimum"] < m["optimum"] < 0.95
    for r in results:  # pure Python: seconds, not minutes, even on a loaded 2-core machine
        assert r.elapsed_s < 30, (r.validator, r.elapsed_s)


def test_starter_stub_is_not_implemented(tmp_path: Path) -> None:
    results = judge(lay_out(tmp_path, "M12", STUB), CORE)
    for r in results:
        assert r.status == "error" and "not implemented" in r.summary, text([r])


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_variant_passes_with_the_reference_figures(tmp_path: Path, variant: Path, reference) -> None:
    folder = lay_out(tmp_path, "M12", variant)
    results = judge_in_process(folder, CORE)
    assert statuses(results) == dict.fromkeys(CORE, "passed"), text(results)
    # agents that feed back observations of the same classes see the same draws: the same figures exactly
    mine = next(r.metrics for r in results if r.validator == "m12.success")
    ref = next(r.metrics for r in reference[1] if r.validator == "m12.success")
    assert (mine["success_rate"], mine["pass_k"]) == (ref["success_rate"], ref["pass_k"])


def test_bug_bank_is_big_and_every_bug_names_its_checks() -> None:
    assert len(BUGS) >= 15
    assert {b.name for b in BUGS} == set(CHECKS)
    assert set(SILENT) | set(LOUD) <= set(CHECKS)


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_bug_is_caught_with_its_diagnosis(tmp_path: Path, bug) -> None:
    folder = lay_out(tmp_path, "M12", REFERENCE, bug, main_file="agent.py")
    results = judge_in_process(folder, CHECKS[bug.name], params=SMALL)
    assert bug.status in statuses(results).values(), text(results)
    assert bug.expect.lower() in text(results).lower(), text(results)


@pytest.mark.parametrize("name", SILENT)
def test_silent_bugs_stay_within_the_success_margin(tmp_path: Path, name: str) -> None:
    """These bugs never move the success rate out of its margin: the rate alone cannot see them (the
    deterministic checks of CHECKS do; some also break a rule in a rare run, which m12.success reports)."""
    bug = next(b for b in BUGS if b.name == name)
    results = judge_in_process(lay_out(tmp_path, "M12", REFERENCE, bug, main_file="agent.py"), ["m12.success"])
    m = results[0].metrics
    assert abs(m["success_rate"] - m["optimum"]) <= m["margin"], text(results)


@pytest.mark.parametrize("name", LOUD)
def test_loud_bugs_fail_the_success_gate(tmp_path: Path, name: str) -> None:
    """These move the rate by more than the margin at the default size (500 tasks x 4 runs)."""
    bug = next(b for b in BUGS if b.name == name)
    results = judge_in_process(lay_out(tmp_path, "M12", REFERENCE, bug, main_file="agent.py"), ["m12.success"])
    assert statuses(results) == {"m12.success": "failed"}, text(results)
    assert results[0].diagnosis and LOUD[name].lower() in results[0].diagnosis.lower(), text(results)


# ---------------------------------------------------------------------------------------------
# verdicts on fabricated probe output


def _ctx(tmp_path: Path, params) -> VerdictContext:
    (tmp_path / "roadmap.yaml").touch()
    return VerdictContext("M12", tmp_path / "milestones" / "M12", tmp_path, params, 0)


def _fabricated_runs(k: int, n: int, with_replies: bool) -> list[dict]:
    """Every run answered right: by an oracle that skips the model, or (with_replies) as if the model did."""
    from llmpath.agents import SimulatedModel, messages
    from llmpath.validators.m12_agent.suites import success_suite

    suite = success_suite(0, n)
    runs = []
    for r in range(k):
        model = SimulatedModel(suite.seed, suite, r)
        for task in suite.tasks:
            answer = model.outcome(task).answer
            replies = [messages.answer(answer)] if with_replies else []
            runs.append({"answer": answer, "n_calls": len(replies), "edits": [], "replies": replies, "tools": [],
                         "last": [{"role": "user", "content": task.text}]})
    return runs


def test_an_answer_the_model_never_gave_breaks_a_rule(tmp_path: Path) -> None:
    runs = _fabricated_runs(2, 40, with_replies=False)
    verdict = success_check.verdict({"runs": runs, "systems": []}, _ctx(tmp_path, SuccessParams(n_tasks=40, k=2)))
    assert verdict.status == "failed" and "broke an allowed-action rule" in verdict.summary
    assert "not the model's final answer" in " ".join(verdict.details)


def test_success_above_the_optimum_fails_on_the_upper_side(tmp_path: Path) -> None:
    runs = _fabricated_runs(2, 200, with_replies=True)
    verdict = success_check.verdict({"runs": runs, "systems": []}, _ctx(tmp_path, SuccessParams(n_tasks=200, k=2)))
    assert verdict.status == "failed" and "above what any agent" in verdict.summary, verdict
    assert verdict.metrics["success_rate"] == 1.0 > verdict.metrics["optimum"] + verdict.metrics["margin"]


def test_report_refuses_figures_it_cannot_reproduce(tmp_path: Path) -> None:
    folder = lay_out(tmp_path, "M12", REFERENCE)
    _log_figures(folder, REFERENCE, shift=0.05)
    results = judge_in_process(folder, ["m12.report"])
    assert statuses(results) == {"m12.report": "failed"}, text(results)
    assert "logged" in text(results) and "recomputed" in text(results)


def test_report_without_an_entry_says_what_to_log(tmp_path: Path) -> None:
    (tmp_path / "experiments_log.md").write_text("")
    verdict = report_check.verdict({"entry": None}, _ctx(tmp_path, ReportParams()))
    assert verdict.status == "failed" and "--metric success_rate=" in " ".join(verdict.details)


def test_the_checks_import_neither_torch_nor_numpy(tmp_path: Path) -> None:
    folder = lay_out(tmp_path, "M12", REFERENCE)
    probes = {"m12.parse": {}, "m12.outputs": {}, "m12.robust": {},
              "m12.success": {"n_tasks": 20, "k": 1}}
    assert heavy_imports_of_probes(folder, probes) == []
